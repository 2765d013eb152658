import Chunking
import Foundation
import LLMCache
import LLMCore
import Retrieval

/// The documentation the chatbot answers from: Markdown files chunked by section, embedded and
/// indexed for hybrid search, and saved so the next start loads instead of rebuilding — unless the
/// documents or the ingest settings changed (their SHA-256 fingerprint differs).
public final class KnowledgeBase: Sendable {
    /// One Markdown document: its id (a slug such as `the-basics`) and text.
    public struct Document: Sendable {
        /// The document's id, used as the chapter id in sources.
        public var id: String
        /// The Markdown text.
        public var markdown: String

        /// Creates a document.
        public init(id: String, markdown: String) {
            self.id = id
            self.markdown = markdown
        }
    }

    /// The hybrid index over the chunks.
    public let retriever: HybridRetriever
    /// Identifies the documents and ingest settings the index was built from.
    public let fingerprint: String
    /// How many chunks were indexed.
    public let chunkCount: Int
    /// Whether this start built the index (rather than loading a saved one).
    public let wasRebuilt: Bool

    /// Bumped whenever chunking or embedding changes, so old saved indexes are rebuilt.
    private static let ingestVersion = "ingest-v1 markdown tokens(220) hashing-embedder(768)"

    private init(retriever: HybridRetriever, fingerprint: String, chunkCount: Int, wasRebuilt: Bool) {
        self.retriever = retriever
        self.fingerprint = fingerprint
        self.chunkCount = chunkCount
        self.wasRebuilt = wasRebuilt
    }

    /// The chapters bundled with the example (see `Docs/README.md` for their source and licence).
    public static func bundledDocuments() throws -> [Document] {
        guard let folder = Bundle.module.url(forResource: "Docs", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else {
            throw ChatbotError.knowledgeBase("the bundled documentation is missing from the example's resources")
        }
        return try names.filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted().map { name in
            let url = folder.appendingPathComponent(name)
            return Document(id: String(name.dropLast(3)), markdown: try String(contentsOf: url, encoding: .utf8))
        }
    }

    /// The embedder every knowledge base here uses: offline, deterministic, 768 dimensions. Its
    /// defaults are valid, so creating it cannot fail.
    public static let embedder: HashingEmbedder = {
        do { return try HashingEmbedder() } catch { preconditionFailure("HashingEmbedder's defaults are valid: \(error)") }
    }()

    /// Loads the saved index for `documents` from `directory`, or builds and saves it when there is
    /// none, it is damaged, or it was built from other documents or settings.
    ///
    /// - Parameters:
    ///   - documents: The Markdown documents.
    ///   - directory: Where indexes are kept (one subfolder per fingerprint); `nil` keeps it in memory.
    ///   - log: Told what happened (loaded, rebuilt and why).
    public static func open(
        _ documents: [Document], directory: URL?, log: (String) -> Void = { _ in }
    ) async throws -> KnowledgeBase {
        var fingerprintSource = ingestVersion
        for document in documents { fingerprintSource += "\u{0}" + document.id + "\u{0}" + document.markdown }
        let fingerprint = CacheKey(hashing: fingerprintSource).hex
        let folder = directory?.appendingPathComponent(String(fingerprint.prefix(16)))
        if let folder, FileManager.default.fileExists(atPath: folder.appendingPathComponent("documents.json").path) {
            do {
                let retriever = try HybridRetriever(contentsOf: folder, embedder: embedder)
                log("loaded the index of \(retriever.count) chunks from \(folder.path)")
                return KnowledgeBase(retriever: retriever, fingerprint: fingerprint, chunkCount: retriever.count, wasRebuilt: false)
            } catch {
                log("the saved index cannot be used (\(error)); rebuilding it")
            }
        }
        let chunks = try chunk(documents)
        let retriever = try HybridRetriever(embedder: embedder)
        try await retriever.add(chunks)
        if let folder {
            // A cache that cannot be written (a read-only home, a full disk) costs a rebuild next
            // time, not this start.
            do {
                try retriever.save(to: folder)
                log("built and saved the index of \(chunks.count) chunks in \(folder.path)")
            } catch {
                log("built the index of \(chunks.count) chunks but cannot save it (\(error)); it will be rebuilt next time")
            }
        }
        return KnowledgeBase(retriever: retriever, fingerprint: fingerprint, chunkCount: chunks.count, wasRebuilt: true)
    }

    /// The documents cut into sections of about 220 tokens, each with its chapter and section ids.
    static func chunk(_ documents: [Document]) throws -> [RetrievalDocument] {
        let chunker = try MarkdownChunker(size: .tokens(220, counter: ApproximateTokenCounter()))
        var result: [RetrievalDocument] = []
        for document in documents {
            for chunk in chunker.chunks(of: document.markdown) {
                let path = chunk.metadata["headerPath"] ?? ""
                let headings = path.split(separator: " > ").map(String.init)
                let section = headings.count > 1 ? slug(headings.last!) : ""
                let text = chunk.text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard text.contains(where: \.isLetter) else { continue }
                result.append(RetrievalDocument(
                    id: "\(document.id)#\(chunk.index)", text: text, title: path.isEmpty ? document.id : path,
                    metadata: ["chapter": document.id, "section": section.isEmpty ? document.id : "\(document.id)/\(section)"]))
            }
        }
        return result
    }

    /// A heading as an id: lowercase words joined by hyphens.
    public static func slug(_ text: String) -> String {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.joined(separator: "-")
    }
}
