/// Every workload Percept's side knows, in one place; the driver's table in Benchmarks/bench.py
/// decides which ones run.
let allWorkloads: [Workload] = ceilingWorkloads + audioWorkloads + visionWorkloads + nnWorkloads + extractWorkloads + augmentWorkloads + e2eWorkloads
