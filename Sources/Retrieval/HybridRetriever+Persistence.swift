import BM25
import HNSW
import LLMCore
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension HybridRetriever {
    private static let vectorFile = "vectors.hnsw"
    private static let keywordFile = "keywords.bm25"
    private static let documentFile = "documents.json"

    /// Writes the retriever to `directory` (created if missing): the HNSW index, the BM25 index and
    /// the documents, each replaced atomically. Writes wait for any add or remove in progress.
    ///
    /// - Throws: ``RetrievalError/storage(_:)`` when a file cannot be written.
    public func save(to directory: URL) throws(RetrievalError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .storage("cannot create \(directory.path): \(error)")
        }
        try writer.withLock { _ throws(RetrievalError) in
            do throws(VectorIndexError) {
                try vectors.save(to: directory.appendingPathComponent(Self.vectorFile))
            } catch {
                throw .storage("\(Self.vectorFile): \(error)")
            }
            do throws(BM25Error) {
                try keywords.save(to: directory.appendingPathComponent(Self.keywordFile))
            } catch {
                throw .storage("\(Self.keywordFile): \(error)")
            }
            let stored = documents.withLock { $0 }.values.sorted { $0.id < $1.id }
            do {
                let data = try JSONEncoder().encode(stored)
                try data.write(to: directory.appendingPathComponent(Self.documentFile), options: .atomic)
            } catch {
                throw .storage("\(Self.documentFile): \(error)")
            }
        }
    }

    /// Loads a retriever written by ``save(to:)``.
    ///
    /// - Parameters:
    ///   - directory: Where it was saved.
    ///   - embedder: The model that embedded the saved documents (queries must be embedded alike);
    ///     its dimension is checked against the saved vectors.
    ///   - configuration: The configuration it was built with; the analyzer must be the same.
    /// - Throws: ``RetrievalError/storage(_:)`` saying which file is missing, damaged, or does not
    ///   match the others or the embedder.
    public convenience init(contentsOf directory: URL, embedder: any EmbeddingModel, configuration: Configuration = Configuration()) throws(RetrievalError) {
        let vectors: HNSWIndex<String>
        do throws(VectorIndexError) {
            vectors = try HNSWIndex(contentsOf: directory.appendingPathComponent(Self.vectorFile))
        } catch {
            throw .storage("\(Self.vectorFile): \(error)")
        }
        guard vectors.configuration.dimension == embedder.dimensions else {
            throw .storage("the saved vectors have \(vectors.configuration.dimension) dimensions but the embedder makes \(embedder.dimensions)")
        }
        let keywords: BM25Index<String>
        do throws(BM25Error) {
            keywords = try BM25Index(contentsOf: directory.appendingPathComponent(Self.keywordFile), analyzer: configuration.analyzer)
        } catch {
            throw .storage("\(Self.keywordFile): \(error)")
        }
        let stored: [RetrievalDocument]
        do {
            stored = try JSONDecoder().decode([RetrievalDocument].self, from: Data(contentsOf: directory.appendingPathComponent(Self.documentFile)))
        } catch {
            throw .storage("\(Self.documentFile): \(error)")
        }
        var byID: [String: RetrievalDocument] = [:]
        for document in stored { byID[document.id] = document }
        guard byID.count == stored.count, vectors.count <= byID.count, keywords.count <= byID.count else {
            throw .storage("the indexes hold \(vectors.count) vectors and \(keywords.count) keyword entries for \(stored.count) documents; the files are from different saves")
        }
        self.init(embedder: embedder, configuration: configuration, vectors: vectors, keywords: keywords, documents: byID)
    }
}
