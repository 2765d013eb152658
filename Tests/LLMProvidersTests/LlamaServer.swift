import Foundation
import LLMTesting
import LLMProviders

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real llama.cpp `llama-server` with a real model, started for a test on a free loopback port.
///
/// The binary and chat model come from `LLAMA_SERVER` and `LLAMA_CHAT_MODEL` (what
/// `.ci/llama-server.sh` builds and prints), else from that script's default cache folder.
final class LlamaServer: @unchecked Sendable {
    static let cache = ProcessInfo.processInfo.environment["LLM_TOOLKIT_CACHE"]
        ?? (NSHomeDirectory() + "/.cache/swift-llm-toolkit")

    static let binary: String? = {
        let path = ProcessInfo.processInfo.environment["LLAMA_SERVER"] ?? cache + "/llama.cpp/build/bin/llama-server"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    static let chatModel: String? = {
        if let path = ProcessInfo.processInfo.environment["LLAMA_CHAT_MODEL"], FileManager.default.fileExists(atPath: path) {
            return path
        }
        let directory = cache + "/smollm2"
        let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        return files.first { $0.hasSuffix(".gguf") }.map { directory + "/" + $0 }
    }()

    /// The shared data's embedding model, found beside the project root.
    static let embeddingModel: String? = {
        var directory = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { directory.deleteLastPathComponent() }  // The file, its folder, Tests/.
        let path = directory.deletingLastPathComponent().appendingPathComponent("shared/data/models/all-MiniLM-L6-v2-q8_0.gguf").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()

    /// CI sets `LLM_TOOLKIT_REQUIRE_LLAMA=1`: a missing server then fails the tests instead of skipping them.
    static let required = ProcessInfo.processInfo.environment["LLM_TOOLKIT_REQUIRE_LLAMA"] == "1"
    static let available = binary != nil && chatModel != nil
    static let skipMessage =
        "llama-server or the SmolLM2 model is not built here; run .ci/llama-server.sh (cmake, ~10 minutes) to run these tests"

    let port: Int
    private let process: Process

    /// Starts a server for `model` with `arguments` and waits (up to two minutes) for `/health`.
    init(model: String, arguments: [String] = []) async throws {
        guard let binary = Self.binary else { throw URLError(.fileDoesNotExist) }
        port = try Self.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-m", model, "--host", "127.0.0.1", "--port", String(port), "-t", "2"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let transport = URLSessionTransport()
        for _ in 0..<1_200 {
            if let (head, _) = try? await transport.data(for: HTTPRequest(url: baseURL.deletingLastPathComponent().appendingPathComponent("health"))),
                head.status == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw URLError(.timedOut)
    }

    deinit { stop() }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    static func freePort() throws -> Int {
        try RefusedPort().port  // Released at once: free now, not reserved.
    }
}
