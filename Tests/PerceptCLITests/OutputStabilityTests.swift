import Foundation
import PerceptIO
import XCTest

/// A byte-identity guard: fixed `percept extract` and `percept augment` runs over Samples/ must
/// write exactly the files they wrote when the table below was made, so a refactor of the
/// feature or augmentation plumbing cannot change an output bit without a test failing.
///
/// WAV outputs are compared by their decoded samples (see `digest`). The digests depend on the floating-point code paths (FFTW's SIMD codelets, libm), so they
/// hold on the platform that produced them (Linux x86-64 with the pinned system libraries).
/// Pictures (`--png`, contact sheets) are only checked for being there: their text comes from the
/// system's FreeType and font. After a deliberate output change, print a new table with
/// `PERCEPT_PRINT_DIGESTS=1 swift test --filter OutputStabilityTests` and paste it below.
final class OutputStabilityTests: CLITestCase {
    static let wav = "Samples/spoken/3/en+f1_200_80.wav"
    static let photo = "Samples/images/coffee.png"
    static let digit = "Samples/digits/3/0003.png"
    static let camera = "Samples/images/camera.png"

    /// Output name → arguments after `-o OUT`; every run also writes `--png` where the feature has one.
    static let extractions: [(String, [String])] = [
        ("spec_default", ["spectrogram", wav]),
        ("spec_options", ["spectrogram", wav, "--n-fft", "512", "--hop-length", "128", "--power", "1", "--window", "hamming", "--center", "false"]),
        ("spec_resampled", ["spectrogram", wav, "--sr", "22050", "--pad-mode", "reflect", "--win-length", "1024"]),
        ("mel_db", ["melspectrogram", wav, "--db"]),
        ("mel_db_options", ["melspectrogram", wav, "--db", "--n-fft", "512", "--hop-length", "160", "--n-mels", "40", "--fmax", "4000", "--htk", "--top-db", "60"]),
        ("mel_power", ["melspectrogram", wav, "--mel-norm", "none", "--power", "1", "--fmin", "50"]),
        ("mfcc_deltas", ["mfcc", wav, "--deltas", "2"]),
        ("mfcc_options", ["mfcc", wav, "--deltas", "2", "--n-mfcc", "13", "--lifter", "22", "--delta-width", "5", "--n-mels", "40", "--top-db", "none"]),
        ("mfcc_plain", ["mfcc", wav, "--dct-type", "3", "--dct-norm", "none", "--sr", "8000"]),
        ("sobel_xy", ["sobel", photo]),
        ("sobel_magnitude", ["sobel", digit, "--mode", "magnitude", "--border", "replicate"]),
        ("sobel_direction", ["sobel", camera, "--mode", "direction", "--border", "constant"]),
        ("hog_default", ["hog", camera]),
        ("hog_options", ["hog", digit, "--pixels-per-cell", "2", "--cells-per-block", "2", "--orientations", "6", "--block-norm", "L1"]),
        ("hog_sqrt", ["hog", photo, "--pixels-per-cell", "16,12", "--transform-sqrt", "--block-norm", "L2"]),
        ("pyramid_default", ["pyramid", photo]),
        ("pyramid_options", ["pyramid", digit, "--levels", "3"]),
    ]

    /// The shipped configurations with the inputs they are meant for.
    static let augmentations: [(String, String)] = [
        ("digits", digit), ("photos", photo), ("speech", wav),
    ]

    func testExtractAndAugmentOutputsAreByteIdenticalToTheCommittedDigests() throws {
        for sub in ["extract", "augment"] { try FileManager.default.createDirectory(atPath: path(sub), withIntermediateDirectories: true) }
        for (name, args) in Self.extractions {
            let ext = ["pyramid"].contains(args[0]) ? "npz" : "npy"
            let r = try run(["extract"] + args + ["-o", path("extract/\(name).\(ext)"), "--png", path("extract/\(name).png")])
            XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
        }
        let folder = try run(["extract", "mfcc", "Samples/spoken/3", "-o", path("extract/mfcc_folder"), "--n-mfcc", "13", "--deltas", "1"])
        XCTAssertEqual(folder.status, 0, folder.stderr)
        for (config, input) in Self.augmentations {
            let r = try run(["augment", input, "-o", path("augment/\(config)"), "--config", "Pipelines/augment/\(config).yaml",
                             "--copies", "2", "--seed", "7", "--log", path("augment/\(config).json")])
            XCTAssertEqual(r.status, 0, "\(config): \(r.stderr)")
        }

        var found = [String: String](), pictures = [String]()
        for rel in FileManager.default.subpaths(atPath: dir) ?? [] {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path(rel), isDirectory: &isDir), !isDir.boolValue else { continue }
            if Self.isPicture(rel) {
                // Pictures for people hold text rendered by the system's FreeType and font: checked for being there, not byte for byte.
                XCTAssertEqual(try ImageFile.read(path(rel)).channels, 3, rel)
                pictures.append(rel)
            } else {
                found[rel] = try digest(path(rel))
            }
        }
        XCTAssertEqual(pictures.count, Self.extractions.count + Self.augmentations.count, "\(pictures.sorted())")
        if ProcessInfo.processInfo.environment["PERCEPT_PRINT_DIGESTS"] != nil {
            print(found.keys.sorted().map { "        \"\($0)\": \"\(found[$0]!)\"," }.joined(separator: "\n"))
        }
        XCTAssertEqual(found.keys.sorted(), Self.digests.keys.sorted(), "the same files are written")
        for (rel, digest) in Self.digests.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(found[rel], digest, "\(rel) changed")
        }
    }

    func testAnAugmentChainEndingInAFeatureWritesArraysAndASheet() throws {
        let cfg = path("speech_mel.yaml")
        XCTAssertTrue(FileManager.default.createFile(atPath: cfg, contents: Data("""
        stages:
          - fix_length: {size: 12000}
          - add_gaussian_snr: {p: 1, min_snr_db: 10, max_snr_db: 20}
          - melspectrogram: {n_fft: 512, hop_length: 160, n_mels: 40, db: true}
          - time_masking: {time_mask_param: 10}
        """.utf8)))
        let r = try run(["augment", Self.wav, "-o", path("mel"), "--config", cfg, "--copies", "2", "--seed", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let names = try FileManager.default.contentsOfDirectory(atPath: path("mel")).sorted()
        XCTAssertEqual(names, ["en+f1_200_80_1.npy", "en+f1_200_80_2.npy", "en+f1_200_80_sheet.png"])
        let first = try Npy.loadTensor(path("mel/en+f1_200_80_1.npy")), second = try Npy.loadTensor(path("mel/en+f1_200_80_2.npy"))
        XCTAssertEqual(first.shape, [1, 40, 76], "12000 samples at hop 160, centred")
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(try ImageFile.read(path("mel/en+f1_200_80_sheet.png")).channels, 3, "a magma sheet")

        let wrong = path("wrong.yaml")
        XCTAssertTrue(FileManager.default.createFile(atPath: wrong, contents: Data("- melspectrogram\n- gain\n".utf8)))
        try assertBadInput(["augment", Self.wav, "-o", path("w"), "--config", wrong], names: "gain", "works on audio, but the input is a spectrogram")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("w")), "nothing is written when the chain does not fit")
    }

    /// `--png` pictures and contact sheets (variant images are data and keep their digests).
    static func isPicture(_ rel: String) -> Bool {
        rel.hasSuffix("_sheet.png") || (rel.hasPrefix("extract/") && rel.hasSuffix(".png"))
    }

    /// SHA-256 (PerceptIO's) of the file's bytes; for WAV, of its rate, shape and sample bits instead, because
    /// libsndfile stamps float WAVs with the time of writing (the PEAK chunk).
    func digest(_ file: String) throws -> String {
        guard file.hasSuffix(".wav") else { return SHA256.hex([UInt8](try XCTUnwrap(FileManager.default.contents(atPath: file)))) }
        let audio = try AudioFile.read(file)
        var bytes = Array("rate \(audio.sampleRate) shape \(audio.samples.shape)\n".utf8)
        for v in audio.samples.storage { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        return SHA256.hex(bytes)
    }

    /// SHA-256 digests of every file the runs above write, made with the code before the
    /// tensor-level stages replaced the path-based features.
    static let digests: [String: String] = [
        "augment/digits.json": "5b88c3b5d14ae91626a3f62b3f201aeb867123ec9ec22848cad3bcaae19b288b",
        "augment/digits/0003_1.png": "67d1580f64e1e61bde07f13cdd19ad7ec36a4a9a63a29c235e4ee4cc18df6fec",
        "augment/digits/0003_2.png": "650869c0346086d332b9abc5c766010b1e74091a0a486d6cc2cb69e647b21923",
        "augment/photos.json": "053295afbd2943d6fc49fb8cf83d066010871f254e0b62b36364b4266e4e2bb1",
        "augment/photos/coffee_1.png": "729ff835a9077fcbc155949f28d4d7f7884c86cee3e1b1930e23efc8753deadb",
        "augment/photos/coffee_2.png": "ff6d22c206239ac0f49bcb155df97cb3b6dccca801c94b01b6645eca35d5deee",
        "augment/speech.json": "ec7eb32492a0779f20c91234b1797b64b549bd687a6184b2af132e78799b78fa",
        "augment/speech/en+f1_200_80_1.wav": "123ba37104fd66adc64b5511c9cbe9bbbea9ea223000c0e145e37c02a0441744",
        "augment/speech/en+f1_200_80_2.wav": "99d70124614c60b50023791852b5e320746aa29190e78c29c32d85d0d3a6041e",
        "extract/hog_default.npy": "e1d8a680eedfd4e7aa5621ce3e40e892bdba6b83fc1909788c9edd95b5c41cbf",
        "extract/hog_options.npy": "03639a939e9398e22b9cd27031633939e68b12bcc69f658119baf384d15feacf",
        "extract/hog_sqrt.npy": "c45bfbaea2aa308a25b8ceac9e70e05ca58d3be6b433188dc6f58521969e9a36",
        "extract/mel_db.npy": "88c824295fd7104d928f3b3d8d543ccbe24ff058d73a1f27870ba9c085a23113",
        "extract/mel_db_options.npy": "7b417525eea8a45a039d45674e44f1b0d9194e8e6a20c4836dc751e4e0131eae",
        "extract/mel_power.npy": "02db5445ecac99cb4b83d204b80749ed8563880275139fb7b14682d8bf346ef4",
        "extract/mfcc_deltas.npy": "c3bec4c64d240d2ace410647e407d04dba4372e09d1c49c8624ccf2595412925",
        "extract/mfcc_folder/en+adam_140_65.npy": "79b643811acdd9152f3b5881bf156ba9dc48e8731d8548bd1085ef4fe59c4c32",
        "extract/mfcc_folder/en+f1_200_80.npy": "8dce4653e99673eef2da73be86a79039307ff7053f5318ded2b64d3ebd9a0c42",
        "extract/mfcc_folder/en+f3_120_80.npy": "20b2aa5ec8a7972fa03a2390624149cf95d1355a2631f3e06e5809d46d708b95",
        "extract/mfcc_folder/en-029+f2_160_80.npy": "d15f377815247b99f6d598624b5f88fdb9146835e3d2b4c84121b2d66d15b322",
        "extract/mfcc_folder/en-029+klatt_180_65.npy": "3c22c5e39e2fd244ad6f7ec009c1f0ab83b667722219167127f8614ff3bb1fff",
        "extract/mfcc_folder/en-gb-scotland+m2_180_80.npy": "dc6c36d2190208c0cd748ea032f663bad7fc421624aeafb8e7463e8cc7ca512e",
        "extract/mfcc_folder/en-gb-scotland+m4_200_65.npy": "432e3f766775873786f47564917e1f563563a73319664ed3105be27c2a0f6077",
        "extract/mfcc_folder/en-us+Annie_160_65.npy": "f95a3f8621da00ccae2765525a4ff93f08f5ab2acae3b87a0d78e255335dd1b5",
        "extract/mfcc_folder/en-us+m1_120_20.npy": "ac5da68abeafaf17668484dd346388916dc5f3d17b5c03635fe5d2e7163d7ce3",
        "extract/mfcc_folder/en-us+m3_140_80.npy": "aa2384a1f675470217785ca08b998f812ed560149b4c690eb64f30f3e059f291",
        "extract/mfcc_options.npy": "09fd0f990ba25e69b1353692e3cf5917ca47fbe5fdb36c515bd74b9a10772c05",
        "extract/mfcc_plain.npy": "ca523c478bd8a7b6877e288e626a40ccbb4dd4d49c61c2ea904fb8e356a1d681",
        "extract/pyramid_default.npz": "05a6259732218fb33c4488f11f6a9cd82663a023c221070af7a74b7ad2b323d8",
        "extract/pyramid_options.npz": "9f8ee12ead12d6ffaeca028575cb1a03c52f0ebe9383426db0f009216353432b",
        "extract/sobel_direction.npy": "9c83e93f9a1f4ee77d868e54b6d9e4c54878a67bc6a2b6fe08d1facd57790fec",
        "extract/sobel_magnitude.npy": "d5e3606b5f29c9759d660bd860839693f56498a7ca558558d322a682a4586d81",
        "extract/sobel_xy.npy": "5b918e0d5c52b9227dde81966ddb32b471d1490e67953b318446c2dc47c580c9",
        "extract/spec_default.npy": "921558d9725228cd233f3eeb25a45007682e6dc804a8f798a55ebe02534768b6",
        "extract/spec_options.npy": "20eaedb9996d690d0585f96f1b83ff6b20a8e1dea12411d763cc2704635a2af4",
        "extract/spec_resampled.npy": "0dec2fc67a987a268f67d9fa163fcdf7aa7fbbec9913165bda438144dabc7646",
    ]
}
