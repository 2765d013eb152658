import Testing

@testable import LLMCore

@Suite("JSONValue")
struct JSONValueTests {
    @Test("integers stay integers and doubles stay doubles across a round trip")
    func numbersKeepTheirKind() throws {
        let value = try JSONValue(parsing: #"[1, 1.0, -0, 0.5, 1e3, -9223372036854775808, 9223372036854775807]"#)
        #expect(value == [1, 1.0, 0, 0.5, 1000.0, .integer(.min), .integer(.max)])
        #expect(try value.serialized() == "[1,1.0,0,0.5,1000.0,-9223372036854775808,9223372036854775807]")
        #expect(try JSONValue(parsing: value.serialized()) == value)
    }

    @Test("an integer beyond 64 bits becomes a double rather than failing")
    func hugeIntegerBecomesDouble() throws {
        #expect(try JSONValue(parsing: "18446744073709551616") == .double(18446744073709551616))
    }

    @Test("object members keep their order")
    func keyOrderIsKept() throws {
        let text = #"{"zeta":1,"alpha":{"y":true,"x":null},"mid":[{"b":1,"a":2}]}"#
        let value = try JSONValue(parsing: text)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid"])
        #expect(try value.serialized() == text)
    }

    @Test("sorted keys give canonical text, ordered by UTF-8 bytes")
    func sortedKeys() throws {
        let a = try JSONValue(parsing: #"{"b":1,"a":{"é":1,"z":2,"E":3}}"#)
        let b = try JSONValue(parsing: #"{"a":{"z":2,"E":3,"é":1},"b":1}"#)
        #expect(a == b)
        #expect(try a.serialized(options: .sortedKeys) == #"{"a":{"E":3,"z":2,"é":1},"b":1}"#)
        #expect(try a.serialized(options: .sortedKeys) == b.serialized(options: .sortedKeys))
    }

    @Test("unicode escapes, surrogate pairs and raw non-ASCII text")
    func unicode() throws {
        let value = try JSONValue(parsing: #""caf\u00e9 \ud83d\ude00 \u0041 naïve 日本 \n\t\"\\\/""#)
        #expect(value == .string("café 😀 A naïve 日本 \n\t\"\\/"))
        // Writing escapes only what JSON requires; reading it back gives the same string.
        let written = try value.serialized()
        #expect(written == #""café 😀 A naïve 日本 \n\t\"\\/""#)
        #expect(try JSONValue(parsing: written) == value)
        #expect(try JSONValue.string("\u{01}\u{1F}\u{08}").serialized() == #""\u0001\u001F\b""#)
    }

    @Test("duplicate keys: the last value wins where the key first appeared")
    func duplicateKeys() throws {
        let value = try JSONValue(parsing: #"{"a":1,"b":2,"a":3}"#)
        #expect(try value.serialized() == #"{"a":3,"b":2}"#)
    }

    @Test(
        "malformed JSON gives a syntax error with its position",
        arguments: [
            ("", 1, 1),
            ("{", 1, 2),
            ("[1,]", 1, 4),
            ("{\"a\" 1}", 1, 6),
            ("{a:1}", 1, 2),
            ("01", 1, 2),
            ("1.", 1, 3),
            ("-", 1, 2),
            ("1e", 1, 3),
            ("tru", 1, 1),
            ("\"abc", 1, 5),
            ("\"a\u{01}\"", 1, 3),
            ("\"\\x\"", 1, 3),
            ("\"\\ud800\"", 1, 8),
            ("\"\\udc00\"", 1, 8),
            ("\"\\u12G4\"", 1, 6),
            ("[1]\n  x", 2, 3),
            ("{\"a\":1}}", 1, 8),
            ("NaN", 1, 1),
            ("1e999", 1, 6),
        ])
    func malformed(text: String, line: Int, column: Int) {
        #expect {
            try JSONValue(parsing: text)
        } throws: { error in
            guard case .syntax(_, let errorLine, let errorColumn, _) = error as? JSONError else { return false }
            return (errorLine, errorColumn) == (line, column)
        }
    }

    @Test("the error message names the line and column")
    func errorDescription() {
        do {
            _ = try JSONValue(parsing: "[1,\n 2,,]")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("line 2, column 4"))
        }
    }

    @Test("invalid UTF-8 is reported with its offset")
    func invalidUTF8() throws {
        #expect(throws: JSONError.invalidUTF8(byteOffset: 3)) {
            try JSONValue(parsing: [UInt8(ascii: "\""), 0x61, 0x62, 0xFF, UInt8(ascii: "\"")])
        }
        #expect(try JSONValue(parsing: Array(#"{"k":"✓"}"#.utf8)) == ["k": "✓"])
    }

    @Test("deep nesting is refused instead of exhausting the stack")
    func nestingLimit() {
        let deep = String(repeating: "[", count: 100_000)
        #expect {
            try JSONValue(parsing: deep)
        } throws: { error in
            if case .nestingTooDeep(let limit, _, _) = error as? JSONError { return limit == JSONValue.maximumNestingDepth }
            return false
        }
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSONValue(parsing: ok) }
    }

    @Test("NaN and infinity cannot be written as JSON")
    func nonFinite() {
        let value: JSONValue = ["a": [1, .double(.nan)]]
        #expect(throws: JSONError.nonFiniteNumber(path: "$.a[1]")) { try value.serialized() }
        #expect(value.description == #"{"a":[1,NaN]}"#)
    }

    @Test("pretty printing reads back to the same value")
    func prettyPrinted() throws {
        let value: JSONValue = ["name": "x", "list": [1, 2, [:]], "empty": []]
        let pretty = try value.serialized(options: .prettyPrinted)
        #expect(pretty == "{\n  \"name\": \"x\",\n  \"list\": [\n    1,\n    2,\n    {}\n  ],\n  \"empty\": []\n}")
        #expect(try JSONValue(parsing: pretty) == value)
    }

    @Test("random documents survive serialize → parse with text unchanged")
    func randomRoundTrips() throws {
        var generator = TestRandom(seed: 7)
        for _ in 0..<300 {
            let value = randomJSON(depth: 0, using: &generator)
            let text = try value.serialized()
            let parsed = try JSONValue(parsing: text)
            #expect(parsed == value)
            #expect(try parsed.serialized() == text)
        }
    }

    @Test("object equality ignores member order, and hashing agrees")
    func objectEquality() {
        let a: JSONObject = ["x": 1, "y": [true]]
        let b: JSONObject = ["y": [true], "x": 1]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != ["x": 1, "y": [false]])
        var c = a
        c["x"] = nil
        #expect(c.keys == ["y"])
        c["z"] = 3
        c["y"] = "replaced"
        #expect(c.keys == ["y", "z"])
        #expect(c["y"] == "replaced")
    }

    @Test("Codable round trip through JSONEncoder keeps structure")
    func codable() throws {
        let value: JSONValue = ["a": [1, 2.5, "s", nil, true], "b": ["c": -3]]
        let encoded = try JSONEncoderFacade.encode(value)
        let decoded = try JSONEncoderFacade.decode(JSONValue.self, from: encoded)
        #expect(decoded == value)
    }
}

private func randomJSON(depth: Int, using generator: inout TestRandom) -> JSONValue {
    let choice = depth > 3 ? generator.next(upperBound: 5) : generator.next(upperBound: 7)
    switch choice {
    case 0: return .null
    case 1: return .bool(generator.next(upperBound: 2) == 1)
    case 2: return .integer(Int64(bitPattern: generator.next()) >> Int64(generator.next(upperBound: 64)))
    case 3:
        let double = Double(bitPattern: generator.next())
        return .double(double.isFinite ? double : 0.5)
    case 4:
        let alphabet = Array("aZ09 \"\\/\n\t\u{01}é日😀")
        return .string(String((0..<generator.next(upperBound: 12)).map { _ in alphabet[generator.next(upperBound: alphabet.count)] }))
    case 5:
        return .array((0..<generator.next(upperBound: 5)).map { _ in randomJSON(depth: depth + 1, using: &generator) })
    default:
        var object = JSONObject()
        for index in 0..<generator.next(upperBound: 5) {
            object["k\(generator.next(upperBound: 100))_\(index)"] = randomJSON(depth: depth + 1, using: &generator)
        }
        return .object(object)
    }
}
