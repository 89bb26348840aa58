import Foundation
import PerceptCore

/// A model's clean inputs for many items at once, computed on every core without the feature
/// cache (so the time is what extraction costs), optionally after a test-time perturbation of
/// the decoded sample. Rows are in item order and the same for any thread count.
///
///     let x = try ChainFeatures.compute(plan, ds.test, seed: 3)          // [N] + input shape
enum ChainFeatures {
    static func compute(_ p: ModelPlan, _ items: [DataItem], perturbation: CompareSpec.Perturbation? = nil, seed: UInt64) throws -> Tensor {
        let size = p.model.inputSize, chain = p.features.chain, dataset = p.dataset
        let failure = FirstFailure()
        let data = [Float](unsafeUninitializedCapacity: items.count * size) { buffer, initialised in
            let out = UnsafeSendable(buffer.baseAddress)
            Parallel.forEachDynamic(count: items.count, state: { () }) { _, i in
                do {
                    var s = try dataset.sample(items[i])
                    if let perturbation {
                        s = try perturbation.chain.apply(0..<perturbation.chain.steps.count, to: s, randomStages: true, seed: seed, epoch: 0, index: i)
                    }
                    let f = try chain.apply(0..<chain.steps.count, to: s, randomStages: false, seed: seed, epoch: 0, index: i)
                    guard f.data.count == size, let base = out.value else {
                        throw PerceptError.badInput(file: items[i].displayName, "its features have shape \(dimsText(f.data.shape)), the model takes \(dimsText(p.model.inputShape))")
                    }
                    f.data.withUnsafeBufferPointer { (base + i * size).update(from: $0.baseAddress!, count: size) }
                } catch { failure.record(i, error) }
            }
            initialised = items.count * size
        }
        try failure.rethrow()
        return Tensor(unchecked: [items.count] + p.model.inputShape, data: data)
    }
}
