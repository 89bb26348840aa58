import Percept
import XCTest

/// The README's library example, compiled and run, so the documented API cannot rot.
final class ReadmeExampleTests: XCTestCase {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

    func testReadmeLibraryExampleRuns() throws {
        _ = FileManager.default.changeCurrentDirectoryPath(root)
        // --- README example begins ---
        // Audio: log-mel spectrogram exactly as librosa.feature.melspectrogram + power_to_db.
        let y = try AudioFile.read("Samples/spoken/3/en+f1_200_80.wav").mono()
        let stft = try STFT(nFFT: 512, hopLength: 160)
        let mel = try MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 64)
        let logMel = try SpectralPipeline(stft: stft, mel: mel, decibels: .power()).compute(y)   // [64, frames]

        // Vision: Sobel and HoG exactly as cv2.Sobel and skimage.feature.hog.
        let gray = try ImageFile.read("Samples/images/camera.png").gray()                        // [1, 512, 512]
        let gx = try Sobel.gx(gray)
        let hog = try HOG(orientations: 9, pixelsPerCell: (16, 16), cellsPerBlock: (2, 2)).features(gray.slice(0))

        // Learning: a small CNN on the MNIST sample; the same layer list accepts [1, 64, frames] log-mels.
        let x = try IDX.readImages("Samples/mnist/train-images-idx3-ubyte.gz").map { $0 / 255 }.reshaped([2000, 1, 28, 28])
        let labels = try IDX.readLabels("Samples/mnist/train-labels-idx1-ubyte.gz")
        let layers: [any Layer] = try [Conv2D(outChannels: 8, kernelSize: 3), ReLU(), MaxPool2D(kernelSize: 2),
                                       Flatten(), Dense(outFeatures: 10)]
        let model = try Sequential(layers: layers, inputShape: [1, 28, 28], seed: 42)
        var options = TrainingOptions(); options.epochs = 2; options.batchSize = 64; options.validationSplit = 0.2
        let trainer = try Trainer(model: model, loss: CrossEntropyLoss(), optimizer: Adam(lr: 0.003), options: options)
        let history = try trainer.fit(x, .classes(labels))
        print("log-mel \(logMel.shape), gx \(gx.shape), HoG \(hog.shape), val accuracy \(history.last?.validation?.accuracy ?? 0)")
        // --- README example ends ---
        XCTAssertEqual(logMel.shape, [64, 101])
        XCTAssertEqual(gx.shape, [1, 512, 512])
        XCTAssertEqual(hog.shape, [31 * 31 * 2 * 2 * 9])
        XCTAssertGreaterThan(history.last?.validation?.accuracy ?? 0, 0.8)
    }
}
