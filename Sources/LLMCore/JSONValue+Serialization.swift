extension JSONValue {
    /// How ``JSONValue/serialized(options:)`` lays out its text.
    public struct SerializationOptions: OptionSet, Sendable, Hashable {
        /// The raw bits.
        public let rawValue: Int

        /// Creates options from raw bits.
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Writes object members sorted by the UTF-8 bytes of their keys, so equal
        /// values always produce the same text (whatever the locale or platform).
        public static let sortedKeys = SerializationOptions(rawValue: 1 << 0)

        /// Indents nested values by two spaces and puts each member on its own line.
        public static let prettyPrinted = SerializationOptions(rawValue: 1 << 1)
    }

    /// Writes this value as JSON text.
    ///
    /// Without options the text is compact and members keep their order, so
    /// `try JSONValue(parsing: value.serialized()) == value` and integers come
    /// back as integers. Non-ASCII characters are written as themselves;
    /// control characters, `"` and `\` are escaped.
    ///
    /// - Throws: ``JSONError/nonFiniteNumber(path:)`` if a double is NaN or infinite.
    public func serialized(options: SerializationOptions = []) throws(JSONError) -> String {
        var writer = JSONWriter(options: options, lenientNonFinite: false)
        try writer.write(self, path: "$")
        return writer.output
    }

    /// Writes this value as UTF-8 JSON bytes; see ``serialized(options:)``.
    public func serializedBytes(options: SerializationOptions = []) throws(JSONError) -> [UInt8] {
        Array(try serialized(options: options).utf8)
    }
}

/// Appends JSON text for a value to a string.
struct JSONWriter {
    let options: JSONValue.SerializationOptions
    /// When set, NaN and infinities are written as bare words instead of failing (for `description` only).
    let lenientNonFinite: Bool
    private(set) var output = ""
    private var indentation = 0

    init(options: JSONValue.SerializationOptions, lenientNonFinite: Bool) {
        self.options = options
        self.lenientNonFinite = lenientNonFinite
    }

    mutating func write(_ value: JSONValue, path: @autoclosure () -> String) throws(JSONError) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .integer(let integer): output += String(integer)
        case .double(let double): try writeDouble(double, path: path())
        case .string(let string): writeString(string)
        case .array(let elements): try writeArray(elements, path: path())
        case .object(let object): try writeObject(object, path: path())
        }
    }

    private mutating func writeDouble(_ double: Double, path: String) throws(JSONError) {
        guard double.isFinite else {
            guard lenientNonFinite else { throw .nonFiniteNumber(path: path) }
            output += double.isNaN ? "NaN" : (double < 0 ? "-Infinity" : "Infinity")
            return
        }
        // Swift prints the shortest text that reads back to the same double, and keeps
        // a ".0" on integral values, so a double stays a double across a round trip.
        output += "\(double)"
    }

    private mutating func writeArray(_ elements: [JSONValue], path: String) throws(JSONError) {
        guard !elements.isEmpty else {
            output += "[]"
            return
        }
        output += "["
        indentation += 1
        for (index, element) in elements.enumerated() {
            if index > 0 { output += "," }
            newline()
            try write(element, path: "\(path)[\(index)]")
        }
        indentation -= 1
        newline()
        output += "]"
    }

    private mutating func writeObject(_ object: JSONObject, path: String) throws(JSONError) {
        guard !object.isEmpty else {
            output += "{}"
            return
        }
        var members = Array(object)
        if options.contains(.sortedKeys) {
            members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        }
        output += "{"
        indentation += 1
        for (index, member) in members.enumerated() {
            if index > 0 { output += "," }
            newline()
            writeString(member.key)
            output += options.contains(.prettyPrinted) ? ": " : ":"
            try write(member.value, path: "\(path).\(member.key)")
        }
        indentation -= 1
        newline()
        output += "}"
    }

    private mutating func newline() {
        guard options.contains(.prettyPrinted) else { return }
        output += "\n"
        output += String(repeating: "  ", count: indentation)
    }

    private mutating func writeString(_ string: String) {
        output += "\""
        let needsEscaping = string.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        guard needsEscaping else {
            output += string
            output += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{00}"..."\u{1F}": output += "\\u" + hex4(UInt16(scalar.value))
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
