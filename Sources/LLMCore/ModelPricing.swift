/// What a model charges, per million tokens, and the exact cost of a response.
///
/// Prices are kept to a picodollar per token (a millionth of a dollar per
/// million tokens), finer than any provider publishes, so costs are exact.
public struct ModelPricing: Sendable, Hashable, Codable {
    /// Price of a million uncached input tokens.
    public var inputPerMillionTokens: Cost
    /// Price of a million input tokens served from the provider's prompt cache.
    public var cachedInputPerMillionTokens: Cost
    /// Price of a million output tokens (reasoning tokens included).
    public var outputPerMillionTokens: Cost

    /// Creates a price list; cached input costs the same as input unless given.
    public init(inputPerMillionTokens: Cost, cachedInputPerMillionTokens: Cost? = nil, outputPerMillionTokens: Cost) {
        self.inputPerMillionTokens = inputPerMillionTokens
        self.cachedInputPerMillionTokens = cachedInputPerMillionTokens ?? inputPerMillionTokens
        self.outputPerMillionTokens = outputPerMillionTokens
    }

    /// Creates a price list from dollars per million tokens, such as `ModelPricing(input: 2.5, cachedInput: 1.25, output: 10)`.
    public init(input: Double, cachedInput: Double? = nil, output: Double) {
        self.init(
            inputPerMillionTokens: Cost(dollars: input),
            cachedInputPerMillionTokens: cachedInput.map { Cost(dollars: $0) },
            outputPerMillionTokens: Cost(dollars: output))
    }

    /// Free: every token costs nothing (a local model).
    public static let free = ModelPricing(inputPerMillionTokens: .zero, outputPerMillionTokens: .zero)

    /// The exact cost of the tokens in `usage`.
    ///
    /// Cached input tokens are billed at the cached price and the rest of the
    /// input at the input price; if a provider reports more cached tokens than
    /// input tokens, all input is treated as cached.
    public func cost(of usage: Usage) -> Cost {
        let cached = Int128(max(0, min(usage.cachedInputTokens, usage.inputTokens)))
        let uncached = Int128(max(0, usage.inputTokens)) - cached
        let output = Int128(max(0, usage.outputTokens))
        return Cost(
            picodollars: uncached * Self.perToken(inputPerMillionTokens)
                + cached * Self.perToken(cachedInputPerMillionTokens)
                + output * Self.perToken(outputPerMillionTokens))
    }

    /// The price of one token in whole picodollars, rounded half away from zero.
    private static func perToken(_ perMillion: Cost) -> Int128 {
        let (quotient, remainder) = perMillion.picodollars.quotientAndRemainder(dividingBy: 1_000_000)
        if remainder.magnitude * 2 >= 1_000_000 { return quotient + (perMillion.picodollars < 0 ? -1 : 1) }
        return quotient
    }
}
