/// The members of a JSON object, in the order they were written or inserted.
///
/// Lookup by key is O(1). Assigning to an existing key replaces its value in
/// place (the member keeps its position); assigning `nil` removes it. When
/// parsed text repeats a key, the last value wins and sits where the key first
/// appeared, as in JavaScript.
///
/// Equality ignores member order, as JSON's own semantics do: `{"a":1,"b":2}`
/// equals `{"b":2,"a":1}`. Use ``keys`` to compare order.
public struct JSONObject: Sendable {
    private var storage: [(key: String, value: JSONValue)] = []
    private var positions: [String: Int] = [:]

    /// Creates an empty object.
    public init() {}

    /// Creates an object from key-value pairs, keeping their order; a repeated key replaces the earlier value.
    public init<S: Sequence>(_ members: S) where S.Element == (String, JSONValue) {
        for (key, value) in members { self[key] = value }
    }

    /// The number of members.
    public var count: Int { storage.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { storage.isEmpty }

    /// The keys, in order.
    public var keys: [String] { storage.map(\.key) }

    /// The values, in key order.
    public var values: [JSONValue] { storage.map(\.value) }

    /// The value for `key`; setting `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = positions[key] else { return nil }
            return storage[position].value
        }
        set {
            if let position = positions[key] {
                if let newValue {
                    storage[position].value = newValue
                } else {
                    removeMember(at: position)
                }
            } else if let newValue {
                positions[key] = storage.count
                storage.append((key, newValue))
            }
        }
    }

    /// Removes the member named `key` and returns its value, if there was one.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let position = positions[key] else { return nil }
        let value = storage[position].value
        removeMember(at: position)
        return value
    }

    private mutating func removeMember(at position: Int) {
        positions[storage[position].key] = nil
        storage.remove(at: position)
        for index in position..<storage.count { positions[storage[index].key] = index }
    }
}

extension JSONObject: Sequence {
    /// Iterates over the members in order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        storage.makeIterator()
    }
}

extension JSONObject: Hashable {
    /// Whether both objects have the same members, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs.storage where rhs[key] != value { return false }
        return true
    }

    /// Hashes the members independently of their order, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for (key, value) in storage {
            var memberHasher = Hasher()
            memberHasher.combine(key)
            memberHasher.combine(value)
            combined ^= memberHasher.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Creates an object whose members keep the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}
