import Foundation
import PerceptCore
import PerceptIO
import XCTest

final class NpyTests: TempDirTestCase {
    func testFloat32RoundTripAndHeaderAlignment() throws {
        let t = try Tensor(shape: [2, 3], data: [1, -2, 3.5, 4, 5, 6])
        try Npy.save(t, to: path("a.npy"))
        let raw = bytes(path("a.npy"))
        let headerLen = Int(raw[8]) | Int(raw[9]) << 8
        XCTAssertEqual((10 + headerLen) % 64, 0, "numpy aligns the data to 64 bytes")
        XCTAssertEqual(raw[10 + headerLen - 1], 0x0A)
        XCTAssertTrue(String(decoding: raw[10..<(10 + headerLen)], as: UTF8.self).contains("'shape': (2, 3)"))
        XCTAssertEqual(try Npy.loadTensor(path("a.npy")), t)
    }

    func testOneDimensionalAndScalarShapesUseNumpySyntax() throws {
        try Npy.save(Tensor(shape: [4], repeating: 1), to: path("v.npy"))
        XCTAssertTrue(String(decoding: bytes(path("v.npy")), as: UTF8.self).contains("(4,)"))
        try Npy.save(Tensor(shape: [], repeating: 7), to: path("s.npy"))
        let s = try Npy.load(path("s.npy"))
        XCTAssertEqual(s.shape, [])
        XCTAssertEqual(s.floats(), [7])
    }

    func testEveryDtypeRoundTrips() throws {
        let f64 = NpyArray(shape: [2], dtype: .float64, bytes: [1.5, -2.25].withUnsafeBytes { [UInt8]($0) })
        let i64 = NpyArray(int64: [3, -9, 1 << 40], shape: [3])
        let u8 = NpyArray(uint8: [0, 128, 255], shape: [3])
        for (a, name) in [(f64, "f.npy"), (i64, "i.npy"), (u8, "u.npy")] {
            try Npy.save(a, to: path(name))
            XCTAssertEqual(try Npy.load(path(name)), a)
        }
        XCTAssertEqual(try Npy.load(path("f.npy")).floats(), [1.5, -2.25])
        XCTAssertEqual(try Npy.load(path("i.npy")).int64s(), [3, -9, 1 << 40])
        XCTAssertEqual(try Npy.load(path("u.npy")).floats(), [0, 128, 255])
    }

    func testReadsFileWrittenByNumpy() throws {
        // numpy.save of np.arange(6, dtype='<f8').reshape(2, 3) (version 1.0 header).
        var b: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, 118, 0]
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
        header += String(repeating: " ", count: 118 - header.count - 1) + "\n"
        b += Array(header.utf8)
        b += (0..<6).map(Double.init).withUnsafeBytes { [UInt8]($0) }
        let p = write(b, "np.npy")
        let a = try Npy.load(p)
        XCTAssertEqual(a.shape, [2, 3])
        XCTAssertEqual(a.dtype, .float64)
        XCTAssertEqual(a.floats(), [0, 1, 2, 3, 4, 5])
    }

    func testTruncatedCorruptAndUnsupportedAreBadInput() throws {
        try Npy.save(Tensor(shape: [10, 10], repeating: 1), to: path("ok.npy"))
        let full = bytes(path("ok.npy"))
        let cut = write(Array(full[0..<(full.count - 8)]), "cut.npy")
        assertBadInput(try Npy.load(cut), file: cut, "truncated data")
        let headerCut = write(Array(full[0..<40]), "hcut.npy")
        assertBadInput(try Npy.load(headerCut), file: headerCut, "truncated header")
        let magic = write(Array("NUMPY but not really".utf8), "magic.npy")
        assertBadInput(try Npy.load(magic), file: magic, "bad magic")
        var big = full
        let text = String(decoding: full[10..<128], as: UTF8.self).replacingOccurrences(of: "<f4", with: ">c8")
        big.replaceSubrange(10..<128, with: Array(text.utf8))
        let dtype = write(big, "dtype.npy")
        assertBadInput(try Npy.load(dtype), file: dtype, "unsupported dtype")
    }

    func testNpzRoundTripKeepsOrderAndNames() throws {
        let a = Tensor(shape: [2, 2], repeating: 1), b = Tensor(shape: [3], repeating: 2)
        try Npz.save([("level_0", a), ("level_1", b)], to: path("p.npz"))
        let back = try Npz.load(path("p.npz"))
        XCTAssertEqual(back.map { $0.0 }, ["level_0", "level_1"])
        XCTAssertEqual(back[0].1.tensor(), a)
        XCTAssertEqual(back[1].1.tensor(), b)
    }

    func testNpzReadsDeflatedMembers() throws {
        // A zip with one deflated member "x.npy", as numpy.savez_compressed writes (made with Python's zipfile).
        let b64 = "UEsDBBQAAAAIAAAAIQAlw28zSQAAAFwAAAAFAAAAeC5ucHmb7BfqGxDJyGDFUK2eklqcXKRupaBuk2ahrqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RrGOpo6CrVcDCjggz2U4QAAUEsBAhQDFAAAAAgAAAAhACXDbzNJAAAAXAAAAAUAAAAAAAAAAAAAAIABAAAAAHgubnB5UEsFBgAAAAABAAEAMwAAAGwAAAAAAA=="
        let p = write([UInt8](Data(base64Encoded: b64)!), "c.npz")
        let back = try Npz.load(p)
        XCTAssertEqual(back.count, 1)
        XCTAssertEqual(back[0].0, "x")
        XCTAssertEqual(back[0].1.shape, [3])
        XCTAssertEqual(back[0].1.floats(), [0, 1, 2])
    }

    func testCorruptNpzIsBadInput() throws {
        try Npz.save([("a", Tensor(shape: [4], repeating: 1))], to: path("ok.npz"))
        let full = bytes(path("ok.npz"))
        let cut = write(Array(full[0..<(full.count - 30)]), "cut.npz")
        assertBadInput(try Npz.load(cut), file: cut, "")
    }

    func testNpzMemberWithAWrongCRCIsBadInputAsNumpySays() throws {
        try Npz.save([("a", Tensor(shape: [4], repeating: 1))], to: path("ok.npz"))
        var b = bytes(path("ok.npz"))
        // Flip one byte of the member's float data (the last bytes before the central directory's
        // 'PK\u{1}\u{2}'); sizes and headers stay valid, only the CRC-32 tells.
        let central = (0..<(b.count - 3)).first { b[$0] == 0x50 && b[$0 + 1] == 0x4B && b[$0 + 2] == 1 && b[$0 + 3] == 2 }!
        b[central - 1] ^= 0x40
        let p = write(b, "flipped.npz")
        assertBadInput(try Npz.load(p), file: p, "fails its CRC-32 check")
    }

    func testNpzSizesAreCheckedAgainstTheBytesThatExist() throws {
        try Npz.save([("a", Tensor(shape: [4], repeating: 1))], to: path("ok.npz"))
        let b = bytes(path("ok.npz"))
        let central = (0..<(b.count - 3)).first { b[$0] == 0x50 && b[$0 + 1] == 0x4B && b[$0 + 2] == 1 && b[$0 + 3] == 2 }!
        func patched(_ offset: Int, _ v: UInt32, method: UInt16? = nil) -> [UInt8] {
            var c = b
            for i in 0..<4 { c[central + offset + i] = UInt8(v >> (8 * UInt32(i)) & 0xFF) }
            if let m = method { c[central + 10] = UInt8(m & 0xFF); c[central + 11] = UInt8(m >> 8) }
            return c
        }
        // A stored member claiming 4 GB uncompressed: stored means exactly its bytes.
        let stored = write(patched(24, 0xFFFF_FFF0), "stored.npz")
        assertBadInput(try Npz.load(stored), file: stored, "its directory says 4294967280")
        // A deflated member claiming 4 GB from a few bytes: beyond deflate's 1032-fold.
        let deflated = write(patched(24, 0xFFFF_FFF0, method: 8), "deflated.npz")
        assertBadInput(try Npz.load(deflated), file: deflated, "more than deflate can give")
    }

    /// A .npy with `header` (padded to 64 bytes with spaces and a newline, as numpy writes) and 4 float32 zeros.
    func npy(_ header: String) -> [UInt8] {
        var h = Array(header.utf8)
        while (10 + h.count + 1) % 64 != 0 { h.append(0x20) }
        h.append(0x0A)
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(h.count & 0xFF), UInt8(h.count >> 8)] + h + [UInt8](repeating: 0, count: 16)
    }

    func testHeadersAreReadExactlyAsNumpyReadsThem() throws {
        XCTAssertEqual(try Npy.decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }"), name: "a").shape, [4])
        XCTAssertEqual(try Npy.decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)}"), name: "a").shape, [2, 2])
        XCTAssertEqual(try Npy.decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': ()}"), name: "a").shape, [], "a scalar")
        for (header, fragment) in [("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'extra': 1}", "exactly descr, fortran_order, shape"),
                                   ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,,2)}", "bad shape"),
                                   ("{'descr': '<f4', 'fortran_order': False, 'shape': (,)}", "bad shape"),
                                   ("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (4,)}", "not True or False"),
                                   ("{'descr': '<f4', 'fortran_order': False, 'shape': 4}", "not a tuple"),
                                   ("['descr', '<f4']\n\u{7}", "not a Python dict literal")] {
            XCTAssertThrowsError(try Npy.decode(npy(header), name: "h.npy"), header) { e in
                XCTAssertTrue("\(e)".contains(fragment), "\(e)")
                XCTAssertFalse("\(e)".contains("\n") || "\(e)".contains("\u{7}"), "one line, control bytes escaped: \(e)")
            }
        }
    }

    func testAtomicWriteLeavesNoTemporaryFilesAndReplacesWholeFiles() throws {
        try Npy.save(Tensor(shape: [1000], repeating: 1), to: path("out.npy"))
        try Npy.save(Tensor(shape: [2], repeating: 3), to: path("out.npy"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["out.npy"])
        XCTAssertEqual(try Npy.loadTensor(path("out.npy")).storage, [3, 3])
        XCTAssertThrowsError(try Npy.save(Tensor(shape: [1]), to: dir))
    }

    func testReplacingAnOutputKeepsAnOpenReadersContentAndLeavesNoTemporaryFile() throws {
        try Npy.save(Tensor(shape: [100], repeating: 1), to: path("out.npy"))
        let old = bytes(path("out.npy"))
        let reader = try XCTUnwrap(FileHandle(forReadingAtPath: path("out.npy")))
        defer { try? reader.close() }
        try Npy.save(Tensor(shape: [3], repeating: 2), to: path("out.npy"))
        XCTAssertEqual([UInt8](try reader.readToEnd() ?? Data()), old)
        XCTAssertEqual(try Npy.loadTensor(path("out.npy")).storage, [2, 2, 2])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["out.npy"])
    }

    func testReplacingAHardLinkedOrSymlinkedOutputLeavesTheOtherFileAlone() throws {
        try Npy.save(Tensor(shape: [2], repeating: 1), to: path("a.npy"))
        XCTAssertEqual(link(path("a.npy"), path("keep.npy")), 0)
        try Npy.save(Tensor(shape: [1], repeating: 5), to: path("a.npy"))
        XCTAssertEqual(try Npy.loadTensor(path("a.npy")).storage, [5])
        XCTAssertEqual(try Npy.loadTensor(path("keep.npy")).storage, [1, 1])
        XCTAssertEqual(symlink(path("keep.npy"), path("s.npy")), 0)
        try Npy.save(Tensor(shape: [1], repeating: 6), to: path("s.npy"))
        XCTAssertEqual(try Npy.loadTensor(path("s.npy")).storage, [6])
        XCTAssertEqual(try Npy.loadTensor(path("keep.npy")).storage, [1, 1])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["a.npy", "keep.npy", "s.npy"])
    }
}
