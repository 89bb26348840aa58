// Vision workloads: Sobel and the Gaussian pyramid on a 4096² float picture (vs OpenCV), and HoG
// on MNIST-sized digits and pedestrian-window crops (vs cv2.HOGDescriptor and scikit-image).
import Foundation
import PerceptCore
import PerceptIO
import PerceptVision

private func hogWorkload(_ name: String, file: String, cell: Int, summary: String) -> Workload {
    Workload(name: name, summary: summary) { dir in
        let batch = try Npy.loadTensor(dir + "/" + file)
        let hog = try HOG(orientations: 9, pixelsPerCell: (cell, cell), cellsPerBlock: (2, 2), blockNorm: .l2Hys)
        return {
            let out = try hog.features(batch: batch)
            return Work(items: batch.shape[0], bytes: Double(4 * (batch.count + out.count)),
                        shape: out.shape, checksum: checksum(out))
        }
    }
}

let visionWorkloads: [Workload] = [
    Workload(name: "sobel", summary: "Sobel gx, gy and magnitude of a 4096² float picture") { dir in
        let image = try Npy.loadTensor(dir + "/image4096.npy")
        return {
            let g = try Sobel.gradients(image, border: .reflect101, weights: .sobel, magnitude: true)
            let m = g.magnitude ?? g.gx
            // One plane read, three written.
            return Work(items: 1, bytes: Double(4 * image.count * 4), shape: m.shape, checksum: checksum(m))
        }
    },
    Workload(name: "pyramid", summary: "5 × pyrDown from a 4096² float picture") { dir in
        let image = try Npy.loadTensor(dir + "/image4096.npy")
        return {
            var x = image, bytes = 0
            for _ in 0..<5 {
                let y = try Pyramid.down(x)
                bytes += 4 * (x.count + y.count)
                x = y
            }
            return Work(items: 1, bytes: Double(bytes), shape: x.shape, checksum: checksum(x))
        }
    },
    hogWorkload("hog-mnist", file: "digits10000.npy", cell: 7, summary: "HoG of 10,000 × 28×28 (ppc 7, cpb 2)"),
    hogWorkload("hog-person", file: "windows1000.npy", cell: 8, summary: "HoG of 1,000 × 128×64 (ppc 8, cpb 2)"),
]
