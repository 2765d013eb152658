import Dispatch
import IndexFiles

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A keyword index scored with Lucene's BM25.
///
/// For a query term t in a field of a document d:
/// `score = boost × idf(t) × tf / (tf + k1 · (1 − b + b · |d| / avgdl))` with
/// `idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))`, where N counts the live documents that have
/// the field, df those containing t, |d| is the field's exact length in terms and avgdl its
/// mean. A document's score is the sum over query terms (a repeated query term counts again)
/// and fields. Lengths are kept exactly (Lucene rounds them to one byte).
///
/// ```swift
/// let index = try BM25Index<String>(fields: [.init(name: "title", boost: 2), .init(name: "body")])
/// try index.add(["title": "Resetting a password", "body": "Open Settings…"], forKey: "kb-12",
///               metadata: ["product": "app"])
/// let hits = try index.search("forgot password", k: 10, metadata: ["product": "app"])
/// ```
///
/// Adding, removing and updating keep every statistic exact at once. Searches find the top `k`
/// with MaxScore pruning, so queries with common terms stay fast, and apply filters while
/// collecting (a filtered-out document never takes a place in the top `k`).
///
/// ## Concurrency
/// `Sendable`: any number of searches run at once; changes wait for them and run alone.
public final class BM25Index<Key: Hashable & Sendable>: @unchecked Sendable {
    /// A named part of a document, with a weight for its scores.
    public struct Field: Sendable, Hashable {
        /// The field's name, used as the key of ``BM25Index/add(_:forKey:metadata:)-(Dictionary<String,String>,_,_)``.
        public var name: String
        /// The factor applied to this field's scores (for example 2 for titles).
        public var boost: Float

        /// Creates a field.
        public init(name: String, boost: Float = 1) {
            self.name = name
            self.boost = boost
        }
    }

    /// The name of the field used by ``add(_:forKey:metadata:)-(String,_,_)``.
    public static var defaultFieldName: String { "text" }

    /// The analyzer that turns documents and queries into terms.
    public let analyzer: any Analyzer
    /// BM25's term-frequency saturation.
    public let k1: Float
    /// BM25's length normalisation, from 0 (none) to 1 (full).
    public let b: Float
    /// The fields, in order.
    public let fields: [Field]

    let lock = ReadWriteLock()
    var fieldIndexes: [FieldIndex]
    var keyOfDocument: [Key?] = []
    var documentOfKey: [Key: UInt32] = [:]
    var metadataOfDocument: [[String: String]] = []
    var removedCount = 0

    /// Creates an empty index.
    ///
    /// - Throws: ``BM25Error/invalidArgument(_:)`` for a negative or non-finite `k1`, `b` outside
    ///   0…1, no fields, a repeated field name or a non-positive boost.
    public init(
        analyzer: some Analyzer = StandardAnalyzer(), k1: Float = 1.2, b: Float = 0.75,
        fields: [Field] = [Field(name: BM25Index.defaultFieldName)]
    ) throws(BM25Error) {
        guard k1.isFinite, k1 >= 0 else { throw .invalidArgument("k1 must be a finite number ≥ 0, got \(k1)") }
        guard b.isFinite, (0...1).contains(b) else { throw .invalidArgument("b must be between 0 and 1, got \(b)") }
        guard !fields.isEmpty else { throw .invalidArgument("an index needs at least one field") }
        guard Set(fields.map(\.name)).count == fields.count else { throw .invalidArgument("field names must be distinct") }
        guard fields.allSatisfy({ $0.boost.isFinite && $0.boost > 0 }) else {
            throw .invalidArgument("field boosts must be finite and positive")
        }
        self.analyzer = analyzer
        self.k1 = k1
        self.b = b
        self.fields = fields
        fieldIndexes = fields.map { FieldIndex(name: $0.name, boost: $0.boost) }
    }

    /// The number of documents.
    public var count: Int { lock.withReadLock { documentOfKey.count } }

    /// Whether `key` is in the index.
    public func contains(_ key: Key) -> Bool { lock.withReadLock { documentOfKey[key] != nil } }

    /// The number of distinct terms in a field (including terms only removed documents had).
    public func vocabularySize(field: String = BM25Index.defaultFieldName) -> Int {
        lock.withReadLock { fieldIndexes.first { $0.name == field }?.terms.count ?? 0 }
    }

    /// How many documents of a field contain `term` — an analyzed term, as ``Analyzer/terms(in:)``
    /// gives it (0 for a term the field has never seen).
    public func documentFrequency(of term: String, field: String = BM25Index.defaultFieldName) -> Int {
        lock.withReadLock {
            guard let index = fieldIndexes.first(where: { $0.name == field }), let id = index.termIDs[term] else { return 0 }
            return Int(index.postings[Int(id)].documentFrequency)
        }
    }

    /// How many documents have text in a field.
    public func documentCount(field: String = BM25Index.defaultFieldName) -> Int {
        lock.withReadLock { fieldIndexes.first { $0.name == field }?.documentCount ?? 0 }
    }

    /// Bytes held by postings, lengths, dictionaries and keys (an estimate for the hash tables).
    public var memoryFootprint: Int {
        lock.withReadLock {
            fieldIndexes.reduce(0) { $0 + $1.memoryFootprint } + keyOfDocument.capacity * MemoryLayout<Key?>.stride
                + documentOfKey.capacity * (MemoryLayout<Key>.stride + 5) + metadataOfDocument.capacity * 8
        }
    }

    // MARK: - Changing the index

    /// Adds a document with one field (the default one).
    ///
    /// - Throws: ``BM25Error/duplicateKey(_:)``, or ``BM25Error/noTerms(key:)`` if the text has no searchable words.
    public func add(_ text: String, forKey key: Key, metadata: [String: String] = [:]) throws(BM25Error) {
        try add([fields[0].name: text], forKey: key, metadata: metadata)
    }

    /// Adds a document with named fields; fields not given are empty.
    ///
    /// - Throws: ``BM25Error/duplicateKey(_:)``, ``BM25Error/unknownField(_:)``, or
    ///   ``BM25Error/noTerms(key:)`` if no field has a searchable word.
    public func add(_ fieldTexts: [String: String], forKey key: Key, metadata: [String: String] = [:]) throws(BM25Error) {
        let analyzed = try analyze(fieldTexts, key: key)
        try lock.withWriteLock { () throws(BM25Error) in
            guard documentOfKey[key] == nil else { throw .duplicateKey("\(key)") }
            insert(analyzed, key: key, metadata: metadata)
        }
    }

    /// Adds many documents, analysing them on all cores. The batch is all or nothing: on an
    /// error the index is left as it was. Searches wait until the batch is in.
    ///
    /// - Throws: As ``add(_:forKey:metadata:)-(Dictionary<String,String>,_,_)``, naming the first bad document.
    public func add(contentsOf documents: [(key: Key, fields: [String: String], metadata: [String: String])]) throws(BM25Error) {
        var keys = Set<Key>()
        for document in documents {
            guard keys.insert(document.key).inserted else { throw .duplicateKey("\(document.key)") }
            for name in document.fields.keys where !fields.contains(where: { $0.name == name }) { throw .unknownField(name) }
        }
        try lock.withWriteLock { () throws(BM25Error) in
            if let duplicate = documents.first(where: { documentOfKey[$0.key] != nil }) { throw .duplicateKey("\(duplicate.key)") }
            let firstDocument = keyOfDocument.count
            let termCounts = fieldIndexes.map(\.terms.count)
            // Slices bound the memory held by analysed-but-unindexed tokens.
            let sliceSize = 4_096
            var start = 0
            for field in fieldIndexes { field.openBatch() }
            while start < documents.count {
                let slice = documents[start..<min(start + sliceSize, documents.count)]
                let analyzed = analyzeInParallel(slice)
                for (document, result) in zip(slice, analyzed) {
                    switch result {
                    case .success(let terms):
                        insert(terms, key: document.key, metadata: document.metadata)
                    case .failure(let error):
                        rollBack(toDocument: firstDocument, termCounts: termCounts)
                        throw error
                    }
                }
                start += slice.count
            }
            for field in fieldIndexes {
                field.closeBatch()
                field.forward.shrinkToFit()
            }
        }
    }

    /// Analyses the slice on every core, looking each term up in a snapshot of the dictionaries
    /// taken now (nothing changes them while the workers run), so the serial insert that follows
    /// only counts ids. Call under the write lock.
    private func analyzeInParallel(
        _ slice: ArraySlice<(key: Key, fields: [String: String], metadata: [String: String])>
    ) -> [Result<[ResolvedTerms], BM25Error>] {
        // Each worker writes its own elements of one array; an array (rather than a raw buffer)
        // owns its elements, so nothing leaks. (A deallocated but never deinitialized buffer of
        // these results leaked every analysed token: 2.5× the index's size at 100,000 documents.)
        var results = [Result<[ResolvedTerms], BM25Error>](repeating: .success([]), count: slice.count)
        let base = slice.startIndex
        let dictionaries = fieldIndexes.map(\.termIDs)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer
            DispatchQueue.concurrentPerform(iterations: slice.count) { offset in
                let document = slice[base + offset]
                output[offset] = Result { () throws(BM25Error) in
                    try zip(analyze(document.fields, key: document.key), dictionaries).map { terms, dictionary in
                        ResolvedTerms(terms, dictionary: dictionary)
                    }
                }
            }
        }
        return results
    }

    /// Call under the write lock: forgets every document numbered `firstDocument` or more.
    private func rollBack(toDocument firstDocument: Int, termCounts: [Int]) {
        for key in keyOfDocument[firstDocument...] { if let key { documentOfKey[key] = nil } }
        keyOfDocument.removeSubrange(firstDocument...)
        metadataOfDocument.removeSubrange(firstDocument...)
        for (field, termCount) in zip(fieldIndexes, termCounts) { field.truncate(documents: firstDocument, terms: termCount) }
    }

    /// Replaces a document (statistics are updated exactly, as by a remove and an add).
    ///
    /// - Throws: ``BM25Error/keyNotFound(_:)``, or as ``add(_:forKey:metadata:)-(Dictionary<String,String>,_,_)``.
    public func update(_ fieldTexts: [String: String], forKey key: Key, metadata: [String: String] = [:]) throws(BM25Error) {
        let analyzed = try analyze(fieldTexts, key: key)
        try lock.withWriteLock { () throws(BM25Error) in
            guard let document = documentOfKey[key] else { throw .keyNotFound("\(key)") }
            delete(document)
            insert(analyzed, key: key, metadata: metadata)
        }
    }

    /// Replaces a single-field document.
    public func update(_ text: String, forKey key: Key, metadata: [String: String] = [:]) throws(BM25Error) {
        try update([fields[0].name: text], forKey: key, metadata: metadata)
    }

    /// Removes a document; returns whether it was present.
    @discardableResult
    public func remove(_ key: Key) -> Bool {
        lock.withWriteLock {
            guard let document = documentOfKey[key] else { return false }
            delete(document)
            return true
        }
    }

    private func analyze(_ fieldTexts: [String: String], key: Key) throws(BM25Error) -> [[String]] {
        for name in fieldTexts.keys where !fields.contains(where: { $0.name == name }) { throw .unknownField(name) }
        let terms = fields.map { field in fieldTexts[field.name].map(analyzer.terms(in:)) ?? [] }
        guard terms.contains(where: { !$0.isEmpty }) else { throw .noTerms(key: "\(key)") }
        return terms
    }

    /// Call under the write lock.
    private func insert(_ terms: [[String]], key: Key, metadata: [String: String]) {
        insert(zip(fieldIndexes, terms).map { field, fieldTerms in ResolvedTerms(fieldTerms, dictionary: field.termIDs) }, key: key, metadata: metadata)
    }

    /// Call under the write lock.
    private func insert(_ terms: [ResolvedTerms], key: Key, metadata: [String: String]) {
        let document = UInt32(keyOfDocument.count)
        for (field, fieldTerms) in zip(fieldIndexes, terms) { field.add(document: document, terms: fieldTerms) }
        keyOfDocument.append(key)
        metadataOfDocument.append(metadata)
        documentOfKey[key] = document
    }

    /// Call under the write lock.
    private func delete(_ document: UInt32) {
        guard let key = keyOfDocument[Int(document)] else { return }
        for field in fieldIndexes { field.remove(document: document) }
        documentOfKey[key] = nil
        keyOfDocument[Int(document)] = nil
        metadataOfDocument[Int(document)] = [:]
        removedCount += 1
        if removedCount > 1_024 && removedCount > documentOfKey.count { compact() }
    }

    /// Drops removed documents from the postings and renumbers the rest.
    private func compact() {
        var newNumber = [UInt32?](repeating: nil, count: keyOfDocument.count)
        var next: UInt32 = 0
        for (document, key) in keyOfDocument.enumerated() where key != nil {
            newNumber[document] = next
            next += 1
        }
        fieldIndexes = fieldIndexes.map { $0.compacted(newNumber: newNumber, liveCount: Int(next)) }
        keyOfDocument = keyOfDocument.filter { $0 != nil }
        metadataOfDocument = zip(metadataOfDocument, newNumber).filter { $0.1 != nil }.map(\.0)
        for (document, key) in keyOfDocument.enumerated() { documentOfKey[key!] = UInt32(document) }
        removedCount = 0
    }

    // MARK: - Searching

    /// The `k` best documents for `query`, best first.
    ///
    /// - Parameters:
    ///   - metadata: Only documents whose metadata has all these key-value pairs are returned.
    ///   - filter: Only documents whose key passes are returned. Runs under the read lock; it must not change the index.
    /// - Returns: Up to `k` results; empty if the query has no searchable words or nothing matches.
    /// - Throws: ``BM25Error/invalidArgument(_:)`` for `k` ≤ 0.
    public func search(
        _ query: String, k: Int, metadata: [String: String] = [:], filter: ((Key) -> Bool)? = nil
    ) throws(BM25Error) -> [BM25Result<Key>] {
        guard k > 0 else { throw .invalidArgument("k must be positive, got \(k)") }
        let terms = analyzer.terms(in: query)
        return lock.withReadLock { run(terms: terms, k: k, metadata: metadata, filter: filter) }
    }

    /// Searches many queries at once on `threads` threads (all cores by default); results are in query order.
    public func search(_ queries: [String], k: Int, threads: Int? = nil) throws(BM25Error) -> [[BM25Result<Key>]] {
        guard k > 0 else { throw .invalidArgument("k must be positive, got \(k)") }
        var results = [[BM25Result<Key>]](repeating: [], count: queries.count)
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, queries.count))
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer
            lock.withReadLock {
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    var index = worker
                    while index < queries.count {
                        output[index] = run(terms: analyzer.terms(in: queries[index]), k: k, metadata: [:], filter: nil)
                        index += workers
                    }
                }
            }
        }
        return results
    }

    /// Call under the read lock.
    private func run(terms: [String], k: Int, metadata: [String: String], filter: ((Key) -> Bool)?) -> [BM25Result<Key>] {
        var multiplicity: [String: Int] = [:]
        for term in terms { multiplicity[term, default: 0] += 1 }
        var cursors: [TermCursor] = []
        for field in fieldIndexes where field.documentCount > 0 {
            let documentCount = Float(field.documentCount)
            let averageLength = Float(Double(field.totalLength) / Double(field.documentCount))
            let constantNorm = k1 * (1 - b)
            let lengthNorm = k1 * b / averageLength
            for (term, repeats) in multiplicity {
                guard let id = field.termIDs[term] else { continue }
                let list = field.postings[Int(id)]
                guard list.documentFrequency > 0 else { continue }
                let df = Float(list.documentFrequency)
                let idf = Float(log(1 + (Double(documentCount) - Double(df) + 0.5) / (Double(df) + 0.5)))
                let weight = field.boost * idf * Float(repeats)
                let maxFrequency = Float(list.maximumFrequency)
                let bound = weight * maxFrequency / (maxFrequency + constantNorm + lengthNorm * Float(list.shortestLength))
                cursors.append(TermCursor(
                    documents: list.documents, frequencies: list.frequencies, list: list, count: list.count,
                    lengths: field.lengths.pointer, weight: weight, constantNorm: constantNorm, lengthNorm: lengthNorm,
                    upperBound: bound * (1 + 1e-5)))
            }
        }
        let keys = keyOfDocument
        let metadataOfDocument = self.metadataOfDocument
        let found = MaxScore.topK(cursors: &cursors, k: k) { document in
            guard let key = keys[Int(document)] else { return true }
            if !metadata.isEmpty {
                let documentMetadata = metadataOfDocument[Int(document)]
                for (name, value) in metadata where documentMetadata[name] != value { return true }
            }
            if let filter, !filter(key) { return true }
            return false
        }
        return found.map { BM25Result(key: keys[Int($0.document)]!, score: $0.score) }
    }
}

/// A document found by a keyword search, and its BM25 score (higher is better).
public struct BM25Result<Key: Hashable & Sendable>: Sendable, Hashable {
    /// The document's key.
    public var key: Key
    /// The BM25 score.
    public var score: Float

    /// Creates a result.
    public init(key: Key, score: Float) {
        self.key = key
        self.score = score
    }
}
