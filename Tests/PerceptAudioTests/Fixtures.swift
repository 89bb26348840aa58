import Foundation
import PerceptAudio
import PerceptCore
import PerceptIO
import XCTest

/// The reference cases written by Fixtures/generate.py (librosa 0.11), read from cases.json.
struct FixtureCase {
    let raw: [String: Any]
    var id: String { raw["id"] as? String ?? "?" }
    var kind: String { raw["kind"] as? String ?? "" }
    var tol: Float { Float(raw["tol"] as? Double ?? 0) }

    func int(_ k: String) -> Int? { raw[k] as? Int }
    func double(_ k: String) -> Double? { (raw[k] as? Double) ?? (raw[k] as? Int).map(Double.init) }
    func string(_ k: String) -> String? { raw[k] as? String }
    func bool(_ k: String) -> Bool? { raw[k] as? Bool }

    func tensor(_ key: String) throws -> Tensor {
        guard let name = string(key) else { throw PerceptError.runtime("\(id): no \(key)") }
        return try Npy.loadTensor(Fixtures.directory.appendingPathComponent(name).path)
    }

    func input() throws -> [Float] { try tensor("input").storage }
    func expected() throws -> Tensor { try tensor("expected") }

    /// The STFT the case describes (librosa defaults for missing values).
    func stft() throws -> STFT {
        guard let n = int("n_fft"), let w = Window(name: string("window") ?? "hann"),
              let pad = PadMode(rawValue: string("pad_mode") ?? "constant") else {
            throw PerceptError.runtime("\(id): bad STFT parameters")
        }
        return try STFT(nFFT: n, hopLength: int("hop_length"), winLength: int("win_length"), window: w,
                        center: bool("center") ?? true, padMode: pad)
    }
}

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func cases(_ kind: String) throws -> [FixtureCase] {
        let data = try Data(contentsOf: directory.appendingPathComponent("cases.json"))
        guard let list = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw PerceptError.runtime("cases.json is not a list of objects")
        }
        return list.map(FixtureCase.init).filter { $0.kind == kind }
    }
}

/// Fails unless `actual` has the reference's shape and is within `tol` everywhere.
func assertClose(_ actual: Tensor, _ expected: Tensor, tol: Float, _ id: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "\(id): shape", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    let d = actual.maxAbsDifference(expected)
    XCTAssertLessThanOrEqual(d, tol, "\(id): max abs difference \(d) above \(tol)", file: file, line: line)
}
