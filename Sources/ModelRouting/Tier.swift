/// A class of request difficulty, such as ``simple``, ``medium`` or ``complex``; a ``ModelRouter``
/// maps each tier to a ``Route``.
public struct Tier: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The tier's name.
    public var rawValue: String

    /// Creates a tier named `rawValue`.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Creates a tier from a literal name.
    public init(stringLiteral value: String) { rawValue = value }

    /// Short factual questions, lookups, rewording: a small cheap model answers as well as a large one.
    public static let simple: Tier = "simple"
    /// Explanations, summaries of longer text, moderate reasoning.
    public static let medium: Tier = "medium"
    /// Multi-step reasoning, code, mathematics, long or many-part requests: the strong model.
    public static let complex: Tier = "complex"

    /// The tier's name.
    public var description: String { rawValue }
}

/// Where a tier's requests go: a group of interchangeable deployments balanced against each other,
/// then an ordered chain of fallbacks tried when the group fails.
public struct Route: Sendable, Hashable {
    /// Deployments that share the tier's traffic, chosen among by the router's ``LoadBalancing``.
    public var deployments: [String]
    /// Deployments tried in this order after the group's (for example another provider, or a local model).
    public var fallbacks: [String]

    /// Creates a route.
    public init(_ deployments: [String], fallbacks: [String] = []) {
        self.deployments = deployments
        self.fallbacks = fallbacks
    }
}
