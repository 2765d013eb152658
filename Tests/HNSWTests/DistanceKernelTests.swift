import LLMTesting
import CVectorKernels
import HNSW
import Testing

@Suite("Distance kernels", .serialized)
struct DistanceKernelTests {
    private func reference(_ a: [Float], _ b: [Float]) -> (l2: Double, dot: Double, cosine: Double) {
        var l2 = 0.0, dot = 0.0, aa = 0.0, bb = 0.0
        for (x, y) in zip(a, b) {
            let (x, y) = (Double(x), Double(y))
            l2 += (x - y) * (x - y)
            dot += x * y
            aa += x * x
            bb += y * y
        }
        let cosine = aa == 0 || bb == 0 ? 1 : 1 - dot / (aa.squareRoot() * bb.squareRoot())
        return (l2, dot, cosine)
    }

    private func close(_ value: Float, _ expected: Double, scale: Double) -> Bool {
        abs(Double(value) - expected) <= 1e-4 * max(abs(expected), scale)
    }

    @Test("every instruction set matches a naive reference for dimensions 1…1,100")
    func kernelsMatchReference() {
        let available = vk_active_isa()
        defer { vk_limit_isa(3) }
        var generator = SeededRandomNumberGenerator(seed: 99)
        // Portable, AVX2 and AVX-512 on x86-64 (as far as the CPU goes); portable and NEON on arm64.
        for limit in [0, 1, 2, 3] {
            let isa = vk_limit_isa(Int32(limit))
            if limit > 0 && isa == 0 && available != 0 { continue }
            for dimension in 1...1_100 {
                let a = (0..<dimension).map { _ in Float.random(in: -2...2, using: &generator) }
                let b = (0..<dimension).map { _ in Float.random(in: -2...2, using: &generator) }
                let expected = reference(a, b)
                // Scale for sums of terms that cancel: the sum of magnitudes.
                let magnitude = zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
                let l2 = vk_l2_squared(a, b, dimension)
                let dot = vk_inner_product(a, b, dimension)
                let cosine = vk_cosine_distance(a, b, dimension)
                #expect(close(l2, expected.l2, scale: 1), "l2, isa \(isa), dimension \(dimension)")
                #expect(close(dot, expected.dot, scale: magnitude), "dot, isa \(isa), dimension \(dimension)")
                #expect(abs(Double(cosine) - expected.cosine) <= 1e-4 * max(1, magnitude / Double(dimension)), "cosine, isa \(isa), dimension \(dimension)")
            }
        }
    }

    @Test("batch kernels equal one-at-a-time kernels, with a row stride")
    func batchMatchesSingle() {
        var generator = SeededRandomNumberGenerator(seed: 5)
        let dimension = 37, stride = 40, rows = 25
        let base = (0..<(rows * stride)).map { _ in Float.random(in: -1...1, using: &generator) }
        let query = (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
        var l2 = [Float](repeating: 0, count: rows)
        var dot = [Float](repeating: 0, count: rows)
        vk_l2_squared_batch(query, base, rows, dimension, stride, &l2)
        vk_inner_product_batch(query, base, rows, dimension, stride, &dot)
        for row in 0..<rows {
            let slice = Array(base[(row * stride)..<(row * stride + dimension)])
            #expect(l2[row] == vk_l2_squared(query, slice, dimension))
            #expect(dot[row] == vk_inner_product(query, slice, dimension))
        }
    }

    @Test("zero vectors have cosine distance 1, and the metric API agrees with the kernels")
    func metricAPI() {
        #expect(vk_cosine_distance([0, 0], [1, 0], 2) == 1)
        #expect(DistanceMetric.l2.distance(between: [1, 2], and: [4, 6]) == 25)
        #expect(DistanceMetric.innerProduct.distance(between: [1, 2], and: [3, 4]) == -10)
        #expect(abs(DistanceMetric.cosine.distance(between: [1, 0], and: [0, 1]) - 1) < 1e-6)
    }
}
