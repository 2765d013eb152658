import IndexFiles

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The on-disk layout of a BM25 index, version 1 (little-endian): magic `SWBM25\0\0`, version,
/// then one section holding the analyzer identifier, k1, b, the fields, the documents (key
/// and metadata, or a removal mark) and, per field, the statistics, lengths and postings; then a
/// checksum of everything before it. Removed documents are compacted away before writing.
enum BM25FileFormat {
    static let magic: [UInt8] = Array("SWBM25".utf8) + [0, 0]
    static let version: UInt32 = 1
}

extension BM25Index where Key: PersistableKey {
    /// Writes the index to a file, replacing it atomically.
    ///
    /// - Throws: ``BM25Error/file(_:)`` if the file cannot be written.
    public func save(to url: URL) throws(BM25Error) {
        do throws(IndexFileError) {
            guard url.isFileURL else { throw .io("\(url) is not a file URL") }
            let body = lock.withReadLock { encode() }
            var writer = try IndexFileWriter(path: url.path(percentEncoded: false))
            var prefix = ByteWriter()
            prefix.append(raw: BM25FileFormat.magic)
            prefix.append(BM25FileFormat.version)
            prefix.append(UInt64(body.count))
            try writer.append(prefix.bytes)
            try writer.append(body)
            try writer.finish()
        } catch {
            throw .file(error)
        }
    }

    private func encode() -> [UInt8] {
        var out = ByteWriter()
        out.append(analyzer.identifier)
        out.append(k1)
        out.append(b)
        out.append(UInt32(fields.count))
        for field in fields {
            out.append(field.name)
            out.append(field.boost)
        }
        out.append(Key.persistentTypeName)
        out.append(UInt64(keyOfDocument.count))
        var keyBytes: [UInt8] = []
        for (document, key) in keyOfDocument.enumerated() {
            guard let key else {
                keyBytes.append(0)
                continue
            }
            keyBytes.append(1)
            key.appendPersistentBytes(to: &keyBytes)
            let metadata = metadataOfDocument[document].sorted { $0.key < $1.key }
            UInt32(metadata.count).appendPersistentBytes(to: &keyBytes)
            for (name, value) in metadata {
                name.appendPersistentBytes(to: &keyBytes)
                value.appendPersistentBytes(to: &keyBytes)
            }
        }
        out.append(UInt64(keyBytes.count))
        out.append(raw: keyBytes)
        for field in fieldIndexes {
            out.append(UInt64(field.documentCount))
            out.append(UInt64(field.totalLength))
            for document in 0..<keyOfDocument.count { out.append(field.lengths[document]) }
            out.append(UInt32(field.terms.count))
            for (id, term) in field.terms.enumerated() {
                let list = field.postings[id]
                // Postings of removed documents stay in memory until a compaction; the file has none.
                let live = (0..<list.count).filter { keyOfDocument[Int(list.documents[$0])] != nil }
                out.append(term)
                out.append(UInt32(live.count))
                for index in live {
                    out.append(list.documents[index])
                    out.append(list.frequency(at: index))
                }
            }
        }
        return out.bytes
    }

    /// Loads an index written by ``save(to:)``; `analyzer` must behave like the one it was built with.
    ///
    /// - Throws: ``BM25Error/analyzerMismatch(expected:found:)``, or ``BM25Error/file(_:)`` saying
    ///   why the file cannot be used (not a BM25 index, another version, truncated, corrupted, keys of another type).
    public convenience init(contentsOf url: URL, analyzer: some Analyzer = StandardAnalyzer()) throws(BM25Error) {
        let body: [UInt8]
        do throws(IndexFileError) {
            guard url.isFileURL else { throw .io("\(url) is not a file URL") }
            var reader = try IndexFileReader(path: url.path(percentEncoded: false))
            let prefixBytes = try reader.readBytes(min(20, reader.size))
            guard prefixBytes.count == 20, Array(prefixBytes[0..<8]) == BM25FileFormat.magic else { throw .wrongFormat }
            var prefix = ByteReader(Array(prefixBytes[8...]))
            let version = try prefix.read(UInt32.self)
            guard version == BM25FileFormat.version else { throw .unsupportedVersion(found: version, supported: BM25FileFormat.version) }
            let length = try prefix.read(UInt64.self)
            let expected = 20 + Int(clamping: length) + 8
            guard length <= UInt64(reader.size), reader.size >= expected else {
                throw .truncated(expectedBytes: expected, actualBytes: reader.size)
            }
            guard reader.size == expected else { throw .corrupt("\(reader.size - expected) unexpected bytes at the end") }
            body = try reader.readBytes(Int(length))
            let computed = reader.checksum.finalize()
            let stored = try reader.readBytes(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            guard stored == computed else { throw .checksumMismatch }
        } catch {
            throw .file(error)
        }
        var input = ByteReader(body)
        let parameters: (identifier: String, k1: Float, b: Float, fields: [Field])
        do throws(IndexFileError) {
            let identifier = try input.readString()
            let k1 = try input.read(Float.self)
            let b = try input.read(Float.self)
            let fieldCount = Int(try input.read(UInt32.self))
            guard fieldCount <= input.remaining else { throw .corrupt("implausible field count") }
            var fields: [Field] = []
            for _ in 0..<fieldCount { fields.append(Field(name: try input.readString(), boost: try input.read(Float.self))) }
            parameters = (identifier, k1, b, fields)
        } catch {
            throw .file(error)
        }
        guard parameters.identifier == analyzer.identifier else {
            throw .analyzerMismatch(expected: analyzer.identifier, found: parameters.identifier)
        }
        do {
            try self.init(analyzer: analyzer, k1: parameters.k1, b: parameters.b, fields: parameters.fields)
        } catch {
            throw .file(.corrupt("its parameters are invalid: \(error)"))
        }
        do throws(IndexFileError) {
            try decodeDocuments(&input)
        } catch {
            throw .file(error)
        }
    }

    private func decodeDocuments(_ input: inout ByteReader) throws(IndexFileError) {
        let keyType = try input.readString()
        guard keyType == Key.persistentTypeName else { throw .keyTypeMismatch(expected: Key.persistentTypeName, found: keyType) }
        let documentCount = Int(try input.read(UInt64.self))
        guard documentCount <= input.remaining else { throw .corrupt("implausible document count") }
        let keyBytes = Array(try input.readBytes(Int(try input.read(UInt64.self))))
        var offset = 0
        for document in 0..<documentCount {
            guard offset < keyBytes.count else { throw .corrupt("the document section ends early") }
            let present = keyBytes[offset]
            offset += 1
            if present == 0 {
                keyOfDocument.append(nil)
                metadataOfDocument.append([:])
                removedCount += 1
                continue
            }
            guard present == 1, let key = Key.readPersistentBytes(keyBytes, at: &offset),
                let pairs = UInt32.readPersistentBytes(keyBytes, at: &offset)
            else { throw .corrupt("document \(document) is malformed") }
            var metadata: [String: String] = [:]
            for _ in 0..<pairs {
                guard let name = String.readPersistentBytes(keyBytes, at: &offset),
                    let value = String.readPersistentBytes(keyBytes, at: &offset)
                else { throw .corrupt("the metadata of document \(document) is malformed") }
                metadata[name] = value
            }
            guard documentOfKey.updateValue(UInt32(document), forKey: key) == nil else { throw .corrupt("key \(key) appears twice") }
            keyOfDocument.append(key)
            metadataOfDocument.append(metadata)
        }
        guard offset == keyBytes.count else { throw .corrupt("the document section has trailing bytes") }

        for field in fieldIndexes {
            field.documentCount = Int(try input.read(UInt64.self))
            field.totalLength = Int(try input.read(UInt64.self))
            var lengthSum = 0
            var withField = 0
            for _ in 0..<documentCount {
                let length = try input.read(UInt32.self)
                field.lengths.append(length)
                lengthSum += Int(length)
                if length > 0 { withField += 1 }
            }
            guard lengthSum == field.totalLength, withField == field.documentCount else {
                throw .corrupt("field \(field.name)'s statistics do not match its lengths")
            }
            let termCount = Int(try input.read(UInt32.self))
            guard termCount <= input.remaining else { throw .corrupt("implausible term count") }
            var termsOfDocument = [[UInt32]](repeating: [], count: documentCount)
            for id in 0..<termCount {
                let term = try input.readString()
                guard field.termIDs.updateValue(UInt32(id), forKey: term) == nil else { throw .corrupt("term \(term) appears twice") }
                field.terms.append(term)
                let postingCount = Int(try input.read(UInt32.self))
                guard postingCount * 8 <= input.remaining else { throw .corrupt("a posting list runs past the end") }
                let list = PostingList(capacity: postingCount)
                var previous: Int64 = -1
                for _ in 0..<postingCount {
                    let document = try input.read(UInt32.self)
                    let frequency = try input.read(UInt32.self)
                    guard Int64(document) > previous, Int(document) < documentCount, frequency > 0,
                        field.lengths[Int(document)] > 0
                    else { throw .corrupt("a posting of term \(term) is out of order or range") }
                    previous = Int64(document)
                    list.append(document: document, frequency: frequency, length: field.lengths[Int(document)])
                    termsOfDocument[Int(document)].append(UInt32(id))
                }
                field.postings.append(list)
            }
            for termIDs in termsOfDocument { field.forward.append(termIDs) }
        }
        guard input.remaining == 0 else { throw .corrupt("\(input.remaining) unexpected bytes after the postings") }
    }
}
