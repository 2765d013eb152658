import Chunking
import Foundation
import Testing

@Suite("CodeChunker")
struct CodeChunkerTests {
    @Test("Swift: whole declarations with their doc comments, symbol names in metadata")
    func swift() throws {
        let code = """
            import Foundation

            /// Adds one.
            @inlinable
            public func addOne(_ x: Int) -> Int {
                let brace = "}"  // a brace in a string does not close the function
                return x + 1
            }

            struct Point {
                var x: Int
                func moved() -> Point { self }
            }

            """
        let chunks = try CodeChunker(language: .swift, size: .characters(160)).chunks(of: code)
        #expect(chunks.map { $0.metadata["symbol"] } == [nil, "addOne", "Point"])
        #expect(chunks[1].text.hasPrefix("/// Adds one.\n@inlinable\npublic func addOne"))
        #expect(chunks[1].text.contains("return x + 1\n}\n"))
        #expect(chunks[2].metadata["kind"] == "struct")
        expectInvariants(chunks, of: code, limit: 160, overlap: 0, measure: { $0.count })
    }

    @Test("Python by indentation, Go methods by receiver, JavaScript functions and classes")
    func otherLanguages() throws {
        let python = "import os\n\n@cache\ndef load(path):\n    return open(path).read()\n\nclass Store:\n    def get(self):\n        return 1\n"
        let pythonChunks = try CodeChunker(language: .python, size: .characters(60)).chunks(of: python)
        #expect(pythonChunks.compactMap { $0.metadata["symbol"] } == ["load", "Store"])
        #expect(pythonChunks.contains { $0.text.hasPrefix("@cache\ndef load") })
        let attributed = try CodeChunker(language: .swift, size: .characters(40))
            .chunks(of: "import Foundation\n\n@MainActor final class Model {\n}\n")
        #expect(attributed.compactMap { $0.metadata["symbol"] } == ["Model"])
        let go = "package main\n\nfunc (s *Server) Start() error {\n\treturn nil\n}\n\ntype Server struct {\n\tport int\n}\n"
        let goChunks = try CodeChunker(language: .go, size: .characters(50)).chunks(of: go)
        #expect(goChunks.compactMap { $0.metadata["symbol"] } == ["Start", "Server"])
        let js = "export function render(x) {\n  return `${x}}`;\n}\n\nclass View {\n  draw() {}\n}\n"
        let jsChunks = try CodeChunker(language: .javaScript, size: .characters(60)).chunks(of: js)
        #expect(jsChunks.compactMap { $0.metadata["symbol"] } == ["render", "View"])
    }

    @Test("a declaration larger than the limit is split at lines, never over the limit")
    func oversize() throws {
        let body = (0..<40).map { "    let value\($0) = \($0)\n" }.joined()
        let code = "func big() {\n\(body)}\n"
        let chunks = try CodeChunker(language: .swift, size: .characters(100, overlap: 20)).chunks(of: code)
        #expect(chunks.count > 5)
        #expect(chunks.allSatisfy { $0.metadata["symbol"] == "big" })
        expectInvariants(chunks, of: code, limit: 100, overlap: 20, measure: { $0.count })
    }
}
