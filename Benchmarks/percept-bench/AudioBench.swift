// Audio workloads: log-mel and MFCC of 600 s at 16 kHz (n_fft 512, hop 160, 64 mels, power 2, dB),
// the parameters of a speech front end, compared with librosa and torchaudio; and the same log-mel
// streamed from an hour-long file, compared with librosa.stream.
import Foundation
import PerceptAudio
import PerceptCore
import PerceptIO

/// FLOPs per frame of the fused chain, counted the usual way: 2.5·N·log2 N for the real FFT,
/// 3 per bin for |X|², 2 per non-zero mel weight, and (for MFCC) 2·n_mels·n_mfcc for the DCT.
func spectralFlops(frames: Int, nFFT: Int, mel: MelFilterbank, nMFCC: Int) -> Double {
    let fft = 2.5 * Double(nFFT) * log2(Double(nFFT))
    let power = 3.0 * Double(nFFT / 2 + 1)
    let melOps = 2.0 * Double(mel.ranges.reduce(0) { $0 + $1.count })
    let dct = 2.0 * Double(mel.nMels * nMFCC)
    return Double(frames) * (fft + power + melOps + dct)
}

private func spectralWorkload(_ name: String, mfcc: Int?) -> Workload {
    Workload(name: name, summary: mfcc == nil ? "log-mel of 600 s at 16 kHz (64 mels, dB)" : "MFCC (20) of 600 s at 16 kHz") { dir in
        let signal = try Npy.loadTensor(dir + "/speech600.npy").storage
        let mel = try MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 64)
        let pipeline = try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 160), power: 2, mel: mel,
                                            decibels: .power(), mfcc: mfcc.map { try MFCC(nMFCC: $0, nMels: 64) })
        return {
            let out = try pipeline.compute(signal)
            let frames = out.shape[1]
            return Work(items: 1, flops: spectralFlops(frames: frames, nFFT: 512, mel: mel, nMFCC: mfcc ?? 0),
                        bytes: Double(signal.count * 4 + out.count * 4), shape: out.shape, checksum: checksum(out))
        }
    }
}

/// An hour-long WAV read in 1 s blocks and turned into log-mel frames as they complete; only the
/// frame count and a running sum are kept, so peak RSS shows the streaming bound.
private let streamWorkload = Workload(name: "logmel-stream", summary: "log-mel of a one-hour WAV, streamed in 1 s blocks") { dir in
    let path = dir + "/speech3600.wav"
    let mel = try MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 64)
    // Uncentred frames, as librosa.stream's blocks are.
    let pipeline = try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 160, center: false), power: 2, mel: mel,
                                        decibels: .power(ref: .value(1), amin: 1e-10, topDb: nil))
    return {
        let reader = try AudioReader(path)
        let stream = try StreamingExtractor(pipeline: pipeline)
        var frames = 0, total = 0.0
        func consume(_ t: Tensor) {
            frames += t.shape[1]
            total += checksum(t)
        }
        while let block = try reader.readMono(frames: 16000) { consume(try stream.feed(block)) }
        consume(try stream.finish())
        return Work(items: 1, flops: spectralFlops(frames: frames, nFFT: 512, mel: mel, nMFCC: 0),
                    bytes: Double(reader.frames * 2 + frames * 64 * 4), shape: [64, frames], checksum: total)
    }
}

let audioWorkloads: [Workload] = [
    spectralWorkload("logmel", mfcc: nil),
    spectralWorkload("mfcc", mfcc: 20),
    streamWorkload,
]
