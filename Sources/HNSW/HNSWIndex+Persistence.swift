import IndexFiles

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The on-disk layout of an HNSW index, version 1 (all integers little-endian):
///
/// ```
/// magic "SWHNSW\0\0" · version u32 · header length u32 · header
/// nodes       slotCount × (linkUnits u32 level-0 links, 0xFFFFFFFF-terminated and padded,
///             then vectorStride f32), exactly as laid out in memory
/// levels      slotCount u8
/// deleted     slotCount u8 (0 or 1)
/// upper index slotCount i64 (-1 for level-0 slots)
/// upper links upperCount u32
/// keys        keysLength bytes: per slot, 1 if it holds a key, then the key's bytes
/// checksum    u64 over everything before it
/// ```
///
/// The bulk sections are copied straight between memory and the file, so loading is a
/// handful of large reads.
enum HNSWFileFormat {
    static let magic: [UInt8] = Array("SWHNSW".utf8) + [0, 0]
    static let version: UInt32 = 1
    static let maximumHeaderLength = 1 << 16
}

extension HNSWIndex where Key: PersistableKey {
    /// Writes the index to a file, replacing it atomically (a temporary file is renamed into place).
    ///
    /// - Throws: ``VectorIndexError/file(_:)`` with ``IndexFileError/io(_:)`` if the file cannot be written.
    public func save(to url: URL) throws(VectorIndexError) {
        do throws(IndexFileError) {
            try write(to: url)
        } catch {
            throw .file(error)
        }
    }

    private func write(to url: URL) throws(IndexFileError) {
        guard url.isFileURL else { throw .io("\(url) is not a file URL") }
        try lock.withReadLock { () throws(IndexFileError) in
            var keyBytes: [UInt8] = []
            keyBytes.reserveCapacity(graph.slotCount * 9)
            for slot in 0..<graph.slotCount {
                if let key = keyOfSlot[slot] {
                    keyBytes.append(1)
                    key.appendPersistentBytes(to: &keyBytes)
                } else {
                    keyBytes.append(0)
                }
            }
            var header = ByteWriter()
            header.append(UInt32(graph.dimension))
            header.append(graph.metric.rawValue)
            header.append(UInt32(graph.m))
            header.append(UInt32(graph.efConstruction))
            header.append(UInt32(configuration.efSearch))
            header.append(graph.seed)
            header.append(UInt32(graph.vectorStride))
            header.append(UInt64(graph.slotCount))
            header.append(graph.entryPoint)
            header.append(Int32(graph.maxLevel))
            header.append(UInt64(graph.upperCount))
            header.append(Key.persistentTypeName)
            header.append(UInt64(keyBytes.count))

            var prefix = ByteWriter()
            prefix.append(raw: HNSWFileFormat.magic)
            prefix.append(HNSWFileFormat.version)
            prefix.append(UInt32(header.bytes.count))

            let slots = graph.slotCount
            var writer = try IndexFileWriter(path: url.path(percentEncoded: false))
            try writer.append(prefix.bytes)
            try writer.append(header.bytes)
            try writer.append(UnsafeRawBufferPointer(start: graph.nodes, count: slots * graph.nodeUnits * 4))
            try writer.append(contentsOf: graph.levels, count: slots)
            try writer.append((0..<slots).map { graph.deleted[$0] ? UInt8(1) : 0 })
            try writer.append((0..<slots).map { Int64(graph.upperOffsets[$0]).littleEndian }.withUnsafeBytes { Array($0) })
            try writer.append(contentsOf: graph.upperLinks, count: graph.upperCount)
            try writer.append(keyBytes)
            try writer.finish()
        }
    }

    /// Loads an index written by ``save(to:)``.
    ///
    /// The file is read in a few large reads straight into the index's buffers, its checksum
    /// verified, and every link checked to be in range.
    ///
    /// - Throws: ``VectorIndexError/file(_:)`` saying why the file cannot be used: not an index
    ///   (``IndexFileError/wrongFormat``), another version, truncated, corrupted (checksum or
    ///   structure), keys of another type, or unreadable.
    public convenience init(contentsOf url: URL) throws(VectorIndexError) {
        do throws(IndexFileError) {
            try self.init(loading: url)
        } catch {
            throw .file(error)
        }
    }

    private convenience init(loading url: URL) throws(IndexFileError) {
        guard url.isFileURL else { throw .io("\(url) is not a file URL") }
        var reader = try IndexFileReader(path: url.path(percentEncoded: false))
        let prefixBytes = try reader.readBytes(min(16, reader.size))
        guard prefixBytes.count == 16, Array(prefixBytes[0..<8]) == HNSWFileFormat.magic else { throw .wrongFormat }
        var prefix = ByteReader(Array(prefixBytes[8...]))
        let version = try prefix.read(UInt32.self)
        guard version == HNSWFileFormat.version else {
            throw .unsupportedVersion(found: version, supported: HNSWFileFormat.version)
        }
        let headerLength = Int(try prefix.read(UInt32.self))
        guard headerLength <= HNSWFileFormat.maximumHeaderLength else { throw .corrupt("the header is implausibly long") }
        var header = ByteReader(try reader.readBytes(headerLength))

        let dimension = Int(try header.read(UInt32.self))
        guard let metric = DistanceMetric(rawValue: try header.readString()) else { throw .corrupt("unknown metric") }
        let m = Int(try header.read(UInt32.self))
        let efConstruction = Int(try header.read(UInt32.self))
        let efSearch = Int(try header.read(UInt32.self))
        let seed = try header.read(UInt64.self)
        let vectorStride = Int(try header.read(UInt32.self))
        let slotCount64 = try header.read(UInt64.self)
        let entryPoint = try header.read(UInt32.self)
        let maxLevel = Int(try header.read(Int32.self))
        let upperCount64 = try header.read(UInt64.self)
        let keyType = try header.readString()
        let keysLength64 = try header.read(UInt64.self)
        guard keyType == Key.persistentTypeName else {
            throw .keyTypeMismatch(expected: Key.persistentTypeName, found: keyType)
        }

        let configuration = Configuration(
            dimension: dimension, metric: metric, m: m, efConstruction: efConstruction, efSearch: efSearch, seed: seed)
        do throws(VectorIndexError) {
            try configuration.validate()
        } catch {
            throw .corrupt("its configuration is invalid: \(error)")
        }
        guard vectorStride == (dimension + 15) / 16 * 16 else { throw .corrupt("the vector stride does not match the dimension") }
        // Bound the counts by the file size before multiplying, so sizes cannot overflow.
        guard slotCount64 < UInt64(UInt32.max), upperCount64 <= UInt64(reader.size), keysLength64 <= UInt64(reader.size) else {
            throw .corrupt("the header's counts exceed the file's size")
        }
        let slotCount = Int(slotCount64)
        let upperCount = Int(upperCount64)
        let keysLength = Int(keysLength64)
        let linkUnits = (2 * m + 15) / 16 * 16
        let perSlot = (linkUnits + vectorStride) * 4 + 1 + 1 + 8
        let expectedSize = 16 + headerLength + slotCount * perSlot + upperCount * 4 + keysLength + 8
        guard reader.size >= expectedSize else { throw .truncated(expectedBytes: expectedSize, actualBytes: reader.size) }
        guard reader.size == expectedSize else { throw .corrupt("\(reader.size - expectedSize) unexpected bytes at the end") }

        do throws(VectorIndexError) {
            try self.init(configuration: configuration)
        } catch {
            throw .corrupt("its configuration is invalid: \(error)")
        }
        try graph.restore(slotCount: slotCount, entryPoint: entryPoint, maxLevel: maxLevel, upperCount: upperCount) {
            (nodes, levels, deleted, upperOffsets, upperLinks) throws(IndexFileError) in
            try reader.read(into: UnsafeMutableRawBufferPointer(start: nodes, count: slotCount * (linkUnits + vectorStride) * 4))
            try reader.read(into: levels, count: slotCount)
            let deletedFlags = try reader.readBytes(slotCount)
            let offsets = try reader.readBytes(slotCount * 8)
            try reader.read(into: upperLinks, count: upperCount)
            for slot in 0..<slotCount {
                guard deletedFlags[slot] <= 1 else { throw .corrupt("a deletion flag is neither 0 nor 1") }
                deleted[slot] = deletedFlags[slot] == 1
                upperOffsets[slot] = Int(offsets.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: slot * 8, as: Int64.self)) })
            }
        }
        let keyBytes = try reader.readBytes(keysLength)
        let computed = reader.checksum.finalize()
        var stored: UInt64 = 0
        let read = withUnsafeMutableBytes(of: &stored) { raw in
            Result { () throws(IndexFileError) in try reader.read(into: raw, checksummed: false) }
        }
        try read.get()
        guard UInt64(littleEndian: stored) == computed else { throw .checksumMismatch }

        try restoreKeys(from: keyBytes, slotCount: slotCount)
        try graph.validateStructure()
    }

    private func restoreKeys(from bytes: [UInt8], slotCount: Int) throws(IndexFileError) {
        var offset = 0
        keyOfSlot.reserveCapacity(slotCount)
        slotOfKey.reserveCapacity(slotCount)
        for slot in 0..<slotCount {
            guard offset < bytes.count else { throw .corrupt("the key section ends early") }
            let present = bytes[offset]
            offset += 1
            switch present {
            case 0:
                keyOfSlot.append(nil)
                freeSlots.append(UInt32(slot))
                guard graph.deleted[slot] else { throw .corrupt("slot \(slot) has no key but is not marked removed") }
            case 1:
                guard let key = Key.readPersistentBytes(bytes, at: &offset) else { throw .corrupt("key \(slot) is malformed") }
                guard slotOfKey.updateValue(UInt32(slot), forKey: key) == nil else {
                    throw .corrupt("key \(key) appears twice")
                }
                keyOfSlot.append(key)
                guard !graph.deleted[slot] else { throw .corrupt("slot \(slot) has a key but is marked removed") }
            default:
                throw .corrupt("a key presence flag is neither 0 nor 1")
            }
        }
        guard offset == bytes.count else { throw .corrupt("the key section has trailing bytes") }
    }
}

extension HNSWGraph {
    /// Checks what a checksum cannot: that every link, level and offset read from a file is in range.
    func validateStructure() throws(IndexFileError) {
        let slots = UInt32(slotCount)
        if slotCount == 0 {
            guard entryPoint == Self.noLink, maxLevel == -1 else { throw .corrupt("an empty index has an entry point") }
            return
        }
        guard entryPoint < slots, (0...Self.maximumLevel).contains(maxLevel) else {
            throw .corrupt("the entry point or top level is out of range")
        }
        var upperUsed = 0
        for slot in 0..<slotCount {
            let level = Int(levels[slot])
            guard level <= maxLevel else { throw .corrupt("slot \(slot) is above the top level") }
            let offset = upperOffsets[slot]
            if level == 0 {
                guard offset == -1 else { throw .corrupt("slot \(slot) has upper links but level 0") }
            } else {
                guard offset >= 0, offset + level * m <= upperCount else { throw .corrupt("slot \(slot)'s upper links are out of range") }
                upperUsed += level * m
            }
        }
        guard upperUsed == upperCount else { throw .corrupt("the upper links do not add up") }
        guard Int(levels[Int(entryPoint)]) == maxLevel else { throw .corrupt("the entry point is not on the top level") }
        for slot in 0..<slots {
            let links = level0Links(slot)
            for index in 0..<linkUnits where links[index] != Self.noLink && (index >= m0 || links[index] >= slots) {
                throw .corrupt("a level-0 link points outside the index")
            }
            for index in 0..<dimension where !vector(slot)[index].isFinite {
                throw .corrupt("a vector has a NaN or infinite component")
            }
        }
        for index in 0..<upperCount where upperLinks[index] != Self.noLink && upperLinks[index] >= slots {
            throw .corrupt("an upper link points outside the index")
        }
    }
}
