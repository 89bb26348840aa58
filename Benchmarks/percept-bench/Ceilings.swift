// The machine's ceilings, measured in the same run as the workloads: single-precision GEMM through
// OpenBLAS (the bound for convolutions and other dense compute) and memory copy bandwidth (the
// bound for streaming filters such as Sobel and pyrDown).
import COpenBLAS
import Foundation
import PerceptCore

let ceilingWorkloads: [Workload] = [
    Workload(name: "ceiling-sgemm", summary: "cblas_sgemm 1024×1024×1024, GFLOP/s ceiling") { _ in
        let n = 1024
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        // OPENBLAS_NUM_THREADS is read at load time; set it explicitly too so PERCEPT_NUM_THREADS alone works.
        openblas_set_num_threads(Int32(Parallel.threads))
        return {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n),
                        1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
            return Work(items: 1, flops: 2 * Double(n * n * n), shape: [n, n], checksum: Double(c[0]))
        }
    },
    Workload(name: "ceiling-copy", summary: "256 MB copy with a vectorised loop, GB/s ceiling (read + write traffic)") { _ in
        let n = 64 << 20   // 64 Mi floats = 256 MB each way
        let src = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let dst = UnsafeMutablePointer<Float>.allocate(capacity: n)
        for k in 0..<n { src[k] = Float(k & 1023) }
        dst.update(repeating: 0, count: n)   // first touch outside the timing
        let box = UnsafeSendable((src, dst))
        return {
            Parallel.forChunks(count: n, minChunk: 1 << 20) { r in
                let (s, d) = box.value
                for k in r { d[k] = s[k] }
            }
            // Traffic, as the workloads count theirs: every byte read plus every byte written.
            return Work(items: 1, bytes: Double(2 * n * 4), shape: [n], checksum: Double(dst[n - 1]))
        }
    },
]
