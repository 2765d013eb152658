import CVectorKernels

/// How two vectors are compared. Smaller distances are closer for every metric.
public enum DistanceMetric: String, Sendable, Hashable, Codable, CaseIterable {
    /// Squared Euclidean distance.
    case l2
    /// One minus the inner product (for vectors whose inner product is the similarity, such as normalised embeddings).
    case innerProduct = "ip"
    /// One minus the cosine similarity. Indexes normalise vectors when they are stored, so
    /// zero vectors are refused.
    case cosine

    /// The distance between two vectors of equal length under this metric.
    ///
    /// - Precondition: `a.count == b.count`.
    public func distance(between a: [Float], and b: [Float]) -> Float {
        precondition(a.count == b.count, "vectors of different lengths: \(a.count) and \(b.count)")
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                switch self {
                case .l2: vk_l2_squared(a.baseAddress, b.baseAddress, a.count)
                case .innerProduct: 1 - vk_inner_product(a.baseAddress, b.baseAddress, a.count)
                case .cosine: vk_cosine_distance(a.baseAddress, b.baseAddress, a.count)
                }
            }
        }
    }

    /// Whether stored vectors are compared by inner product (after normalisation, for cosine).
    var usesInnerProduct: Bool { self != .l2 }

    /// The kernel that computes the raw score (squared L2, or inner product).
    var kernel: vk_pair_kernel {
        usesInnerProduct ? vk_inner_product_kernel() : vk_l2_squared_kernel()
    }
}
