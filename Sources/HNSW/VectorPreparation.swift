import CVectorKernels

/// Validates a vector for an index and brings it to stored form (normalised, for cosine).
struct VectorPreparation: Sendable {
    let dimension: Int
    let metric: DistanceMetric

    func prepare(_ vector: [Float]) throws(VectorIndexError) -> [Float] {
        guard vector.count == dimension else {
            throw .dimensionMismatch(expected: dimension, actual: vector.count)
        }
        if let index = vector.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteComponent(index: index) }
        guard metric == .cosine else { return vector }
        let squaredNorm = vector.withUnsafeBufferPointer { vk_squared_norm($0.baseAddress, $0.count) }
        guard squaredNorm > 0, squaredNorm.isFinite else { throw .zeroVector }
        let scale = 1 / squaredNorm.squareRoot()
        return vector.map { $0 * scale }
    }
}
