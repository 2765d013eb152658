import Foundation

extension SemanticCache {
    /// Writes every live entry (with its vector, tags and remaining time to live) to a JSON file,
    /// replacing it atomically.
    ///
    /// - Throws: ``CacheError/fileSystem(_:)`` when the file cannot be written,
    ///   ``CacheError/invalidInput(_:)`` when a value cannot be encoded.
    public func save(to path: String) throws(CacheError) {
        let now = currentNanoseconds
        let wallNow = Date()
        let file = SemanticCacheFile(
            format: "semantic-cache", version: SemanticCacheFile<Value>.currentVersion, dimension: embedder.dimensions,
            entries: liveEntries(now: now).map { SemanticCacheRecord($0, now: now, wallNow: wallNow) })
        let data: Data
        do {
            data = try JSONEncoder().encode(file)
        } catch {
            throw .invalidInput("the cached values cannot be encoded as JSON: \(error)")
        }
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .fileSystem("cannot write the semantic cache to \(path): \(error.localizedDescription)")
        }
    }

    /// Adds the entries of a file written by ``save(to:)`` (those not yet expired); returns how
    /// many were added. Nothing is added when the file is damaged.
    ///
    /// - Throws: ``CacheError/fileSystem(_:)`` when the file cannot be read,
    ///   ``CacheError/corruptData(_:)`` when it is truncated, not a semantic-cache file, of
    ///   another version or holds a bad entry, ``CacheError/invalidInput(_:)`` when its vectors
    ///   have another dimension than this cache's embedder.
    @discardableResult
    public func load(from path: String) throws(CacheError) -> Int {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .fileSystem("cannot read the semantic cache file \(path): \(error.localizedDescription)")
        }
        let file: SemanticCacheFile<Value>
        do {
            file = try JSONDecoder().decode(SemanticCacheFile<Value>.self, from: data)
        } catch {
            throw .corruptData("\(path) is not a complete semantic-cache file (truncated or damaged?): \(error)")
        }
        guard file.format == "semantic-cache" else { throw .corruptData("\(path) holds '\(file.format)', not a semantic cache") }
        guard file.version == SemanticCacheFile<Value>.currentVersion else {
            throw .corruptData("\(path) is version \(file.version); this build reads version \(SemanticCacheFile<Value>.currentVersion)")
        }
        guard file.dimension == embedder.dimensions else {
            throw .invalidInput(
                "\(path) holds \(file.dimension)-dimensional vectors; this cache's embedder makes \(embedder.dimensions)")
        }
        // Check every entry before adding any, so a damaged file adds nothing.
        for record in file.entries {
            guard CacheKey(hex: record.partition) != nil else { throw .corruptData("an entry in \(path) has a bad partition") }
            guard try record.decodedVector().count == file.dimension else {
                throw .corruptData("an entry in \(path) has a vector of the wrong length")
            }
        }
        return try restoreAll(file.entries)
    }

    /// Rebuilds this process's index from the entries in the store (written by this or any other
    /// process); returns how many live entries were added. Damaged entries are removed from the
    /// store and skipped.
    ///
    /// - Throws: ``CacheError/invalidConfiguration(_:)`` when the cache has no store; the store's errors.
    @discardableResult
    public func restoreFromStore() async throws(CacheError) -> Int {
        guard let store else { throw .invalidConfiguration("this semantic cache has no store to restore from") }
        var records: [SemanticCacheRecord<Value>] = []
        for (key, record) in try await storedRecords(in: store) {
            if let record, CacheKey(hex: record.partition) != nil, (try? record.decodedVector().count) == embedder.dimensions {
                records.append(record)
            } else {
                try await store.removeValue(forKey: key)
            }
        }
        return try restoreAll(records)
    }

    /// Every entry in the store under this cache's prefix, read in batches of 500; `nil` where an
    /// entry does not decode.
    func storedRecords(in store: any CacheStore) async throws(CacheError) -> [(key: String, record: SemanticCacheRecord<Value>?)] {
        let keys = try await store.keys(withPrefix: configuration.storeKeyPrefix + "entry:")
        var records: [(key: String, record: SemanticCacheRecord<Value>?)] = []
        for start in stride(from: 0, to: keys.count, by: 500) {
            let batch = Array(keys[start..<min(start + 500, keys.count)])
            for (key, bytes) in zip(batch, try await store.values(forKeys: batch)) {
                guard let bytes else { continue }  // Expired since it was listed.
                records.append((key, try? JSONDecoder().decode(SemanticCacheRecord<Value>.self, from: Data(bytes))))
            }
        }
        return records
    }

    private func restoreAll(_ records: [SemanticCacheRecord<Value>]) throws(CacheError) -> Int {
        let now = currentNanoseconds
        let wallNow = Date()
        var added = 0
        for record in records where try restore(record, now: now, wallNow: wallNow) { added += 1 }
        return added
    }
}
