/// An exact amount of US dollars, kept as a whole number of picodollars (10⁻¹² $).
///
/// Summing a million request costs with `Double` drifts; summing `Cost`s is
/// exact and independent of order. A picodollar is fine enough that the cost
/// of one token at any published price is a whole number of them.
public struct Cost: Sendable, Hashable, Comparable {
    // Kept as two 64-bit halves rather than one `Int128`: every value holding a `Cost` (a response
    // with its routing record, a price list) passes through async code, and debug builds on aarch64
    // Linux miscompile structs with 128-bit integer fields passed to async functions
    // (swiftlang/swift#91204). Two halves keep the type 8-byte aligned and out of that path.
    private var high: Int64
    private var low: UInt64

    /// The amount in picodollars (10⁻¹² $). Negative amounts (credits) are allowed.
    public var picodollars: Int128 {
        get { Int128(high) << 64 | Int128(low) }
        set {
            high = Int64(truncatingIfNeeded: newValue >> 64)
            low = UInt64(truncatingIfNeeded: newValue)
        }
    }

    /// Creates an amount from picodollars.
    public init(picodollars: Int128) {
        high = Int64(truncatingIfNeeded: picodollars >> 64)
        low = UInt64(truncatingIfNeeded: picodollars)
    }

    /// Creates an amount from microdollars (10⁻⁶ $).
    public init(microdollars: Int64) {
        self.init(picodollars: Int128(microdollars) * 1_000_000)
    }

    /// Creates an amount from a `Double` number of dollars, rounded to the nearest picodollar.
    ///
    /// Exact for any price written with up to six decimals (for example `0.15`);
    /// use ``init(dollars:)-(String)`` to avoid binary floating point altogether.
    public init(dollars: Double) {
        precondition(dollars.isFinite && abs(dollars) < 1e14, "Cost(dollars:) needs a finite amount below $10^14")
        self.init(picodollars: Int128((dollars * 1e12).rounded()))
    }

    /// Parses a decimal amount of dollars exactly, such as `"2.50"`, `"-0.000001"` or `"$15"`.
    ///
    /// Returns `nil` for text that is not a plain decimal number, or has more than 12 decimals.
    public init?(dollars text: String) {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits.removeFirst() }
        if digits.first == "$" { digits.removeFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty || parts.count == 2 else { return nil }
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= 12, !(whole.isEmpty && fraction.isEmpty),
            whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit),
            whole.count <= 20
        else { return nil }
        let wholeValue = Int128(whole.isEmpty ? "0" : String(whole))!
        let paddedFraction = String(fraction) + String(repeating: "0", count: 12 - fraction.count)
        let value = wholeValue * 1_000_000_000_000 + Int128(paddedFraction)!
        self.init(picodollars: negative ? -value : value)
    }

    /// Nothing.
    public static let zero = Cost(picodollars: 0)

    /// The amount in dollars as a `Double`, for display and charts (not for sums).
    public var dollars: Double { Double(picodollars) / 1e12 }

    /// Whether `lhs` is less than `rhs`.
    public static func < (lhs: Cost, rhs: Cost) -> Bool { lhs.picodollars < rhs.picodollars }

    /// The exact sum.
    public static func + (lhs: Cost, rhs: Cost) -> Cost { Cost(picodollars: lhs.picodollars + rhs.picodollars) }

    /// The exact difference.
    public static func - (lhs: Cost, rhs: Cost) -> Cost { Cost(picodollars: lhs.picodollars - rhs.picodollars) }

    /// Adds `rhs` to `lhs`.
    public static func += (lhs: inout Cost, rhs: Cost) { lhs.picodollars += rhs.picodollars }

    /// Subtracts `rhs` from `lhs`.
    public static func -= (lhs: inout Cost, rhs: Cost) { lhs.picodollars -= rhs.picodollars }

    /// The amount multiplied by a count.
    public static func * (lhs: Cost, rhs: Int) -> Cost { Cost(picodollars: lhs.picodollars * Int128(rhs)) }
}

extension Cost: CustomStringConvertible {
    /// The exact amount in dollars, at least two decimals and no trailing zeros beyond them: `$0.0000025`, `$12.50`.
    public var description: String {
        (picodollars < 0 ? "-$" : "$") + decimalMagnitude
    }

    /// The absolute amount as a decimal number of dollars, at least two decimals.
    fileprivate var decimalMagnitude: String {
        let magnitude = picodollars.magnitude
        let whole = magnitude / 1_000_000_000_000
        var fraction = String(magnitude % 1_000_000_000_000)
        fraction = String(repeating: "0", count: 12 - fraction.count) + fraction
        while fraction.count > 2, fraction.last == "0" { fraction.removeLast() }
        return String(whole) + "." + fraction
    }
}

extension Cost: Codable {
    /// Decodes an amount written as a decimal string of dollars (exact) or a number of dollars.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let cost = Cost(dollars: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "'\(text)' is not a decimal amount of dollars with at most 12 decimals")
            }
            self = cost
        } else {
            let dollars = try container.decode(Double.self)
            guard dollars.isFinite, abs(dollars) < 1e14 else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(dollars) is not a usable amount of dollars")
            }
            self.init(dollars: dollars)
        }
    }

    /// Encodes the amount as an exact decimal string of dollars, without the `$`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode((picodollars < 0 ? "-" : "") + decimalMagnitude)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
