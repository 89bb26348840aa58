// Audio workloads: log-mel and MFCC of 600 s at 16 kHz (n_fft 512, hop 160, 64 mels, power 2, dB),
// the parameters of a speech front end; compared with librosa and torchaudio.
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

let audioWorkloads: [Workload] = [
    spectralWorkload("logmel", mfcc: nil),
    spectralWorkload("mfcc", mfcc: 20),
]
