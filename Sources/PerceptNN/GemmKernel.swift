import COpenBLAS
import CPerceptNNKernels
import Foundation
import PerceptCore

/// The C kernels behind the conv and dense layers' GEMMs (32-column panels, `pnn_gemm32`) and
/// stride-1 im2col/col2im: AVX-512 where the CPU has it, else AVX2 + FMA, else none (OpenBLAS).
/// Both kernels give the same bits, so results do not depend on which one a machine picks.
/// `PERCEPT_NN_KERNEL=avx512|avx2|blas` overrides the choice (never above what the CPU runs);
/// `PERCEPT_NN_NO_AVX512=1`, the older switch, means `blas`.
///
///     GemmKernel.active   // .avx512 on this machine
public enum GemmKernel: String, Sendable {
    case avx512, avx2, blas

    /// What this CPU runs and the environment allows; fixed for the process.
    public static let detected: GemmKernel = {
        let env = ProcessInfo.processInfo.environment
        let best: GemmKernel = pnn_has_avx512() != 0 ? .avx512 : (pnn_has_avx2fma() != 0 ? .avx2 : .blas)
        if env["PERCEPT_NN_NO_AVX512"] != nil { return .blas }
        guard let text = env["PERCEPT_NN_KERNEL"], !text.isEmpty else { return best }
        func warn(_ message: String) { FileHandle.standardError.write(Data("warning: PERCEPT_NN_KERNEL=\(text): \(message)\n".utf8)) }
        guard let asked = GemmKernel(rawValue: text.lowercased()) else {
            warn("not one of avx512, avx2, blas; using \(best.rawValue)")
            return best
        }
        guard asked.rank <= best.rank else {
            warn("this CPU cannot run it; using \(best.rawValue)")
            return best
        }
        return asked
    }()

    /// The kernel in use here: `detected`, unless inside `with(_:_:)`.
    public static var active: GemmKernel { setting.value }

    private static let setting = ScopedSetting(detected)

    /// Runs `body` with `kernel` in use (on this thread and in the `Parallel` loops it starts);
    /// tests use it to compare paths. A kernel above `detected` gets `detected`, so a CPU is never
    /// asked to run instructions it lacks.
    ///
    ///     let viaBLAS = try GemmKernel.with(.blas) { try conv.forward(x) }
    public static func with<R>(_ kernel: GemmKernel, _ body: () throws -> R) rethrows -> R {
        try setting.withValue(kernel.rank <= detected.rank ? kernel : detected, body)
    }

    private var rank: Int {
        switch self {
        case .blas: return 0
        case .avx2: return 1
        case .avx512: return 2
        }
    }

    @inline(__always)
    static func gemm32(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ sa: Int, _ sk: Int,
                       _ b: UnsafePointer<Float>, _ bpanel: Int, _ ldb: Int,
                       _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Int32) {
        if active == .avx2 {
            pnn_gemm32_avx2(m, n, k, a, sa, sk, b, bpanel, ldb, c, ldc, accumulate)
        } else {
            pnn_gemm32(m, n, k, a, sa, sk, b, bpanel, ldb, c, ldc, accumulate)
        }
    }

    @inline(__always)
    static func im2col(_ xp: UnsafePointer<Float>, _ C: Int, _ hp: Int, _ wp: Int, _ kh: Int, _ kw: Int, _ dh: Int, _ dw: Int,
                       _ ho: Int, _ wo: Int, _ col: UnsafeMutablePointer<Float>, _ ld: Int) {
        if active == .avx2 {
            pnn_im2col_s1_avx2(xp, C, hp, wp, kh, kw, dh, dw, ho, wo, col, ld)
        } else {
            pnn_im2col_s1(xp, C, hp, wp, kh, kw, dh, dw, ho, wo, col, ld)
        }
    }

    @inline(__always)
    static func col2im(_ col: UnsafePointer<Float>, _ ld: Int, _ C: Int, _ hp: Int, _ wp: Int, _ kh: Int, _ kw: Int,
                       _ dh: Int, _ dw: Int, _ ho: Int, _ wo: Int, _ dxp: UnsafeMutablePointer<Float>) {
        if active == .avx2 {
            pnn_col2im_s1_avx2(col, ld, C, hp, wp, kh, kw, dh, dw, ho, wo, dxp)
        } else {
            pnn_col2im_s1(col, ld, C, hp, wp, kh, kw, dh, dw, ho, wo, dxp)
        }
    }
}

extension GemmKernel {
    /// The BLAS library this build links (`OpenBLAS 0.3.21 DYNAMIC_ARCH ...`), for run reports.
    ///
    ///     print(GemmKernel.blasVersion)
    public static var blasVersion: String { String(cString: openblas_get_config()) }
}
