import PerceptCore
import PerceptNN
import XCTest

/// Update rules against hand-computed PyTorch formulas on one parameter.
final class OptimizerTests: XCTestCase {
    /// Applies `steps` updates with the given gradients to w = [1, -2]; returns w after each step.
    private func run(_ name: String, _ values: [String: Value], grads: [[Float]]) throws -> [[Float]] {
        let opt = try OptimizerRegistry.make(name, values)
        let p = try Param(name: "weight", shape: [2])
        p.value.ptr[0] = 1; p.value.ptr[1] = -2
        var out: [[Float]] = []
        for g in grads {
            p.grad.ptr[0] = g[0]; p.grad.ptr[1] = g[1]
            opt.update([(name: "0.weight", param: p)])
            out.append(p.value.array(2))
        }
        return out
    }

    func testSGDWithMomentumAndNesterov() throws {
        let plain = try run("sgd", ["lr": "0.1"], grads: [[1, 2]])
        XCTAssertEqual(plain[0], [0.9, -2.2])
        // momentum 0.9: buf1 = g1 = 1, buf2 = 0.9 + 0.5 = 1.4 → w = 1 - 0.1 - 0.14
        let mom = try run("sgd", ["lr": "0.1", "momentum": "0.9"], grads: [[1, 0], [0.5, 0]])
        XCTAssertEqual(mom[1][0], 1 - 0.1 - 0.14, accuracy: 1e-6)
        // Nesterov: step uses g + mu·buf: 1 + 0.9 = 1.9, then 0.5 + 0.9·1.4 = 1.76
        let nes = try run("sgd", ["lr": "0.1", "momentum": "0.9", "nesterov": "true"], grads: [[1, 0], [0.5, 0]])
        XCTAssertEqual(nes[1][0], 1 - 0.19 - 0.176, accuracy: 1e-6)
    }

    func testAdamFirstStepMovesByLearningRateAndAdamWDecaysWeights() throws {
        let adam = try run("adam", ["lr": "0.01"], grads: [[3, -0.5]])
        XCTAssertEqual(adam[0][0], 1 - 0.01, accuracy: 1e-6)
        XCTAssertEqual(adam[0][1], -2 + 0.01, accuracy: 1e-6)
        let adamw = try run("adamw", ["lr": "0.01", "weight_decay": "0.1"], grads: [[3, -0.5]])
        XCTAssertEqual(adamw[0][0], 1 * (1 - 0.001) - 0.01, accuracy: 1e-6)
        // Coupled L2 in Adam changes the gradient, not the weight directly: g = 3 + 0.1 = 3.1 → same sign step.
        let l2 = try run("adam", ["lr": "0.01", "weight_decay": "0.1"], grads: [[0, 0]])
        XCTAssertEqual(l2[0][0], 1 - 0.01, accuracy: 1e-6)
        XCTAssertEqual(l2[0][1], -2 + 0.01, accuracy: 1e-6)
    }

    func testLargeTensorsUpdateInParallelToTheSameBitsAsOneThread() throws {
        // 200,000 elements: above the parallel threshold, split over the workers.
        let n = 200_000
        func trained(threads: Int, _ name: String, _ values: [String: Value]) throws -> [Float] {
            try Parallel.withThreads(threads) { try threeSteps(name, values, n: n) }
        }
        let cases: [(String, [String: Value])] = [("adam", ["lr": "0.01", "weight_decay": "0.1"]), ("adamw", ["lr": "0.01"]),
                               ("sgd", ["lr": "0.1", "momentum": "0.9", "l1": "0.001"]), ("rmsprop", ["centered": "true"]),
                               ("adagrad", [:])]
        for (name, values) in cases {
            let one = try trained(threads: 1, name, values), two = try trained(threads: 2, name, values)
            XCTAssertTrue(one == two, "\(name): 1 and 2 threads differ")
            XCTAssertNotEqual(one[5], Float(5 % 97) * 0.01 - 0.4, "\(name) moved the weights")
        }
    }

    /// Adam's vectorized C kernels (AVX-512, AVX2) run the portable loop's operations unfused and in
    /// its order, so training gives the same bits on any machine; 1,003 elements leave vector tails.
    func testAdamKernelsGiveTheSameBitsAsThePortableLoop() throws {
        let n = 1_003
        func trained(_ kernel: GemmKernel, _ name: String) throws -> [Float] {
            try GemmKernel.with(kernel) { try threeSteps(name, ["lr": "0.01", "weight_decay": "0.1"], n: n) }
        }
        for name in ["adam", "adamw"] {
            let portable = try trained(.blas, name)
            XCTAssertNotEqual(portable[5], Float(5 % 97) * 0.01 - 0.4, "\(name) moved the weights")
            for kernel in [GemmKernel.avx2, .avx512] where kernel == .avx2 ? GemmKernel.detected != .blas : GemmKernel.detected == .avx512 {
                XCTAssertTrue(try trained(kernel, name) == portable, "\(name): \(kernel) differs from the portable loop")
            }
        }
    }

    /// The weights of an `n`-element parameter after three steps of `name` with fixed gradients.
    private func threeSteps(_ name: String, _ values: [String: Value], n: Int) throws -> [Float] {
        let opt = try OptimizerRegistry.make(name, values)
        let p = try Param(name: "weight", shape: [n])
        for i in 0..<n { p.value.ptr[i] = Float(i % 97) * 0.01 - 0.4 }
        for step in 0..<3 {
            for i in 0..<n { p.grad.ptr[i] = Float((i * 7 + step * 13) % 31) * 0.03 - 0.45 }
            opt.update([(name: "0.weight", param: p)])
        }
        return p.value.array(n)
    }

    func testAdaGradAndRMSpropFollowTheirFormulas() throws {
        let ada = try run("adagrad", ["lr": "0.1"], grads: [[2, 0], [1, 0]])
        XCTAssertEqual(ada[0][0], 1 - 0.1 * 2 / 2, accuracy: 1e-6)
        XCTAssertEqual(ada[1][0], ada[0][0] - 0.1 * 1 / Float(5).squareRoot(), accuracy: 1e-6)
        let rms = try run("rmsprop", ["lr": "0.01", "alpha": "0.9"], grads: [[2, 0]])
        // square_avg = 0.1·4 = 0.4 → step 0.01·2/sqrt(0.4)
        XCTAssertEqual(rms[0][0], 1 - 0.01 * 2 / Float(0.4).squareRoot(), accuracy: 1e-6)
    }

    func testL1PenaltyAddsSignOfWeights() throws {
        let w = try run("sgd", ["lr": "0.1", "l1": "0.5"], grads: [[0, 0]])
        XCTAssertEqual(w[0][0], 1 - 0.05, accuracy: 1e-7)
        XCTAssertEqual(w[0][1], -2 + 0.05, accuracy: 1e-7)
    }

    func testGlobalNormClippingScalesAllGradients() throws {
        let a = try Param(name: "weight", shape: [2]), b = try Param(name: "bias", shape: [1])
        a.grad.ptr[0] = 3; a.grad.ptr[1] = 0; b.grad.ptr[0] = 4
        let norm = clipGradientNorm([(name: "a", param: a), (name: "b", param: b)], maxNorm: 1)
        XCTAssertEqual(norm, 5, accuracy: 1e-9)
        XCTAssertEqual(a.grad.ptr[0], 0.6, accuracy: 1e-5)
        XCTAssertEqual(b.grad.ptr[0], 0.8, accuracy: 1e-5)
        // Below the limit nothing changes.
        clipGradientNorm([(name: "b", param: b)], maxNorm: 10)
        XCTAssertEqual(b.grad.ptr[0], 0.8, accuracy: 1e-5)
    }

    func testSchedulesFollowPyTorchFormulas() throws {
        let step = try LRSchedule(["kind": "step", "step_size": "2", "gamma": "0.5"])
        XCTAssertEqual((0..<5).map { step.learningRate(base: 1, epoch: $0, globalStep: 1000) }, [1, 1, 0.5, 0.5, 0.25])
        let exp = try LRSchedule(["kind": "exponential", "gamma": "0.9"])
        XCTAssertEqual(exp.learningRate(base: 1, epoch: 2, globalStep: 0), 0.81, accuracy: 1e-6)
        let cos = try LRSchedule(["kind": "cosine", "t_max": "4", "eta_min": "0.1"])
        XCTAssertEqual(cos.learningRate(base: 1, epoch: 0, globalStep: 0), 1, accuracy: 1e-6)
        XCTAssertEqual(cos.learningRate(base: 1, epoch: 2, globalStep: 0), 0.55, accuracy: 1e-6)
        XCTAssertEqual(cos.learningRate(base: 1, epoch: 4, globalStep: 0), 0.1, accuracy: 1e-6)
        let warm = try LRSchedule(["warmup_steps": "10", "warmup_start_factor": "0"])
        XCTAssertEqual(warm.learningRate(base: 1, epoch: 0, globalStep: 0), 0)
        XCTAssertEqual(warm.learningRate(base: 1, epoch: 0, globalStep: 5), 0.5, accuracy: 1e-6)
        XCTAssertEqual(warm.learningRate(base: 1, epoch: 0, globalStep: 10), 1)
        var plateau = try LRSchedule(["kind": "plateau", "patience": "1", "factor": "0.5"])
        for m in [1.0, 0.9, 0.95, 0.95] { plateau.observe(m) }
        XCTAssertEqual(plateau.learningRate(base: 1, epoch: 4, globalStep: 0), 0.5)
        XCTAssertThrowsError(try LRSchedule(["kind": "cosine", "t_max": "0"]))
    }

    func testUnknownOptimizerSuggestsTheClosestName() {
        XCTAssertThrowsError(try OptimizerRegistry.make("adamm")) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "adamm: unknown optimizer (did you mean 'adam'?)")
        }
    }
}
