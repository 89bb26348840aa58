// percept-fuzz --target=NAME [libFuzzer flags] [CORPUS_DIR...]
// percept-fuzz --list                  the targets
// percept-fuzz --write-seeds=DIR       writes the generated seeds (FLAC, OGG, .npz, safetensors)
import CFuzzDriver
import Foundation

let arguments = CommandLine.arguments.dropFirst()
func option(_ name: String) -> String? {
    arguments.first { $0.hasPrefix("--\(name)=") }.map { String($0.dropFirst(name.count + 3)) }
}

if arguments.contains("--list") {
    for t in FuzzTarget.all { print(t.name.padding(toLength: 14, withPad: " ", startingAt: 0), t.about) }
    exit(0)
}
if let dir = option("write-seeds") {
    do { try Seeds.write(to: dir) } catch { FileHandle.standardError.write(Data("percept-fuzz: \(error)\n".utf8)); exit(1) }
    exit(0)
}
guard let name = option("target"), let selected = FuzzTarget.all.first(where: { $0.name == name }) else {
    FileHandle.standardError.write(Data("usage: percept-fuzz --target=NAME [libFuzzer flags] [CORPUS...]; targets: \(FuzzTarget.all.map(\.name).joined(separator: " "))\n".utf8))
    exit(2)
}

/// The target libFuzzer calls; a C function pointer cannot capture, so it reads this global.
let target = selected

/// Also exported under libFuzzer's conventional name, so the link resolves whichever main wins.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    // A thrown error is the reader rejecting the input: the outcome we want for garbage.
    try? target.run(bytes)
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
let rc = LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
ScratchFile.remove()
exit(rc)
