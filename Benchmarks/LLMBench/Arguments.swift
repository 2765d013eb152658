/// A tiny `--name value` parser that reports unknown or malformed options.
struct Arguments {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    private var words: [String]
    private var used = Set<Int>()

    init<S: Sequence>(_ words: S) where S.Element == String { self.words = Array(words) }

    mutating func popCommand() -> String? {
        guard let first = words.first, !first.hasPrefix("--") else { return nil }
        words.removeFirst()
        return first
    }

    mutating func flag(_ name: String) -> Bool {
        guard let index = words.firstIndex(of: "--" + name) else { return false }
        used.insert(index)
        return true
    }

    mutating func string(_ name: String) throws -> String? {
        guard let index = words.firstIndex(of: "--" + name) else { return nil }
        guard index + 1 < words.count else { throw Problem(description: "--\(name) needs a value") }
        used.formUnion([index, index + 1])
        return words[index + 1]
    }

    mutating func int(_ name: String, default value: Int) throws -> Int {
        guard let text = try string(name) else { return value }
        guard let number = Int(text) else { throw Problem(description: "--\(name) takes a whole number, got \(text)") }
        return number
    }

    mutating func ints(_ name: String, default value: [Int]) throws -> [Int] {
        guard let text = try string(name) else { return value }
        let numbers = text.split(separator: ",").compactMap { Int($0) }
        guard !numbers.isEmpty else { throw Problem(description: "--\(name) takes a comma-separated list of numbers") }
        return numbers
    }

    func rejectUnused() throws {
        let unused = words.indices.filter { !used.contains($0) }.map { words[$0] }
        if !unused.isEmpty { throw Problem(description: "unknown arguments: \(unused.joined(separator: " "))") }
    }
}
