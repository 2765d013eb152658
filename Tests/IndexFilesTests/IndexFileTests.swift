import Foundation
import IndexFiles
import Testing

@Suite("IndexFiles")
struct IndexFileTests {
    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("indexfile-\(UUID().uuidString)").path
    }

    @Test("the checksum does not depend on how the bytes are split, and changes with any byte")
    func checksumStreaming() {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var whole = Checksum64()
        whole.update(bytes)
        for split in [1, 3, 31, 32, 33, 500, 999] {
            var parts = Checksum64()
            parts.update(Array(bytes[..<split]))
            parts.update(Array(bytes[split...]))
            #expect(parts.finalize() == whole.finalize(), "split at \(split)")
        }
        for position in [0, 31, 32, 500, 999] {
            var changed = bytes
            changed[position] ^= 1
            var other = Checksum64()
            other.update(changed)
            #expect(other.finalize() != whole.finalize())
        }
        var shorter = Checksum64()
        shorter.update(Array(bytes.dropLast()))
        #expect(shorter.finalize() != whole.finalize())
    }

    @Test("a written file reads back with a matching checksum, and replaces the old file atomically")
    func writeAndRead() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var header = ByteWriter()
        header.append(UInt32(7))
        header.append("héllo")
        header.append(2.5 as Double)
        var writer = try IndexFileWriter(path: path)
        try writer.append(header.bytes)
        let floats: [Float] = [1, 2, 3]
        try floats.withUnsafeBufferPointer { try writer.append(contentsOf: $0.baseAddress!, count: 3) }
        try writer.finish()
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))

        var reader = try IndexFileReader(path: path)
        var fields = ByteReader(try reader.readBytes(header.bytes.count))
        #expect(try fields.read(UInt32.self) == 7)
        #expect(try fields.readString() == "héllo")
        #expect(try fields.read(Double.self) == 2.5)
        var back = [Float](repeating: 0, count: 3)
        try back.withUnsafeMutableBufferPointer { try reader.read(into: $0.baseAddress!, count: 3) }
        #expect(back == floats)
        let computed = reader.checksum.finalize()
        let stored = try reader.readBytes(8)
        #expect(stored.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) } == computed)
        #expect(throws: IndexFileError.truncated(expectedBytes: reader.size + 1, actualBytes: reader.size)) {
            _ = try reader.readBytes(1)
        }
    }

    @Test("reading past a section's end is a corrupt-file error, not a crash")
    func boundedReads() {
        var reader = ByteReader([1, 2, 3])
        #expect(throws: IndexFileError.self) { try reader.read(UInt64.self) }
        var strings = ByteReader([9, 0, 0, 0, 65])
        #expect(throws: IndexFileError.corrupt("a string runs past the end of its section")) { try strings.readString() }
        #expect(throws: IndexFileError.self) { _ = try IndexFileReader(path: "/nonexistent/\(UUID())") }
    }

    @Test("keys round-trip through their persistent bytes")
    func keys() {
        var bytes: [UInt8] = []
        "ключ".appendPersistentBytes(to: &bytes)
        UInt64.max.appendPersistentBytes(to: &bytes)
        (-5).appendPersistentBytes(to: &bytes)
        let id = UUID()
        id.appendPersistentBytes(to: &bytes)
        var offset = 0
        #expect(String.readPersistentBytes(bytes, at: &offset) == "ключ")
        #expect(UInt64.readPersistentBytes(bytes, at: &offset) == .max)
        #expect(Int.readPersistentBytes(bytes, at: &offset) == -5)
        #expect(UUID.readPersistentBytes(bytes, at: &offset) == id)
        #expect(offset == bytes.count)
        #expect(UInt32.readPersistentBytes(bytes, at: &offset) == nil)
    }
}
