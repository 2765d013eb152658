import Foundation
import Testing

@testable import LLMCore

@Suite("Cost and ModelPricing")
struct CostTests {
    @Test("decimal strings parse exactly", arguments: [
        ("2.50", Int128(2_500_000_000_000)), ("$15", 15_000_000_000_000), ("0.000000000001", 1),
        ("-0.5", -500_000_000_000), (".25", 250_000_000_000), ("7.", 7_000_000_000_000),
    ])
    func parsing(text: String, picodollars: Int128) {
        #expect(Cost(dollars: text)?.picodollars == picodollars)
    }

    @Test("malformed amounts are refused", arguments: ["", ".", "1.2.3", "abc", "1e3", "0.0000000000001", "--1", "1,5"])
    func refused(text: String) {
        #expect(Cost(dollars: text) == nil)
    }

    @Test("description is exact")
    func description() {
        #expect(Cost(dollars: "12.5")!.description == "$12.50")
        #expect(Cost(picodollars: 2_500_000).description == "$0.0000025")
        #expect(Cost(dollars: "-3")!.description == "-$3.00")
    }

    @Test("Codable keeps the amount exact")
    func codable() throws {
        let cost = Cost(picodollars: 123_456_789_012_345)
        let data = try JSONEncoder().encode([cost])
        #expect(String(decoding: data, as: UTF8.self) == #"["123.456789012345"]"#)
        #expect(try JSONDecoder().decode([Cost].self, from: data) == [cost])
        #expect(try JSONDecoder().decode([Cost].self, from: Data("[0.15]".utf8)) == [Cost(dollars: "0.15")!])
    }

    @Test("cost of a usage splits cached and uncached input")
    func costOfUsage() {
        let pricing = ModelPricing(input: 2.5, cachedInput: 1.25, output: 10)
        let usage = Usage(inputTokens: 1_000, outputTokens: 500, cachedInputTokens: 400)
        // 600 × $2.50/M + 400 × $1.25/M + 500 × $10/M = $0.0015 + $0.0005 + $0.005
        #expect(pricing.cost(of: usage) == Cost(dollars: "0.0070")!)
        #expect(ModelPricing.free.cost(of: usage) == .zero)
    }

    @Test("summing a million request costs is exact and order-independent")
    func millionRequests() {
        let pricing = ModelPricing(input: 0.15, cachedInput: 0.075, output: 0.6)
        var generator = TestRandom(seed: 11)
        var total = Cost.zero
        var costs: [Cost] = []
        costs.reserveCapacity(1_000_000)
        var (uncached, cached, output) = (Int128(0), Int128(0), Int128(0))
        for _ in 0..<1_000_000 {
            let input = generator.next(upperBound: 4_000)
            let usage = Usage(
                inputTokens: input, outputTokens: generator.next(upperBound: 800),
                cachedInputTokens: generator.next(upperBound: input + 1))
            let cost = pricing.cost(of: usage)
            total += cost
            costs.append(cost)
            uncached += Int128(usage.inputTokens - usage.cachedInputTokens)
            cached += Int128(usage.cachedInputTokens)
            output += Int128(usage.outputTokens)
        }
        // Closed form: $0.15/M = 150,000 pico per token, $0.075/M = 75,000, $0.60/M = 600,000.
        let expected = uncached * 150_000 + cached * 75_000 + output * 600_000
        #expect(total.picodollars == expected)
        let reversed = costs.reversed().reduce(Cost.zero, +)
        #expect(reversed == total)
    }
}
