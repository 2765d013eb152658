#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

#if _endian(big)
#error("index files are little-endian and written by copying memory; big-endian hosts are not supported")
#endif

/// Writes a file through a buffer with POSIX calls, checksumming what it writes.
///
/// Writes go to a temporary file beside the destination, renamed over it on ``finish()``, so a
/// crash or error mid-save never leaves a half-written index where a good one was.
struct BinaryFileWriter: ~Copyable {
    private let descriptor: Int32
    private let path: String
    private let temporaryPath: String
    private var buffer: [UInt8] = []
    private(set) var checksum = Checksum64()
    private var finished = false

    init(path: String) throws(VectorIndexError) {
        self.path = path
        temporaryPath = path + ".partial"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw .io("cannot create \(temporaryPath): \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        if !finished {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) throws(VectorIndexError) {
        checksum.update(bytes)
        if buffer.count + bytes.count > (1 << 20) { try flush() }
        if bytes.count >= (1 << 20) {
            try writeFully(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    mutating func append(_ bytes: [UInt8]) throws(VectorIndexError) {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(VectorIndexError) in try append(raw) } }
        try result.get()
    }

    mutating func append<T>(contentsOf pointer: UnsafePointer<T>, count: Int) throws(VectorIndexError) {
        try append(UnsafeRawBufferPointer(start: pointer, count: count * MemoryLayout<T>.stride))
    }

    private mutating func flush() throws(VectorIndexError) {
        let pending = buffer
        buffer.removeAll(keepingCapacity: true)
        let result = pending.withUnsafeBytes { raw in Result { () throws(VectorIndexError) in try writeFully(raw) } }
        try result.get()
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer) throws(VectorIndexError) {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw .io("cannot write \(temporaryPath): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Writes the checksum, flushes, and moves the file into place.
    consuming func finish() throws(VectorIndexError) {
        var sum = checksum.finalize().littleEndian
        withUnsafeBytes(of: &sum) { buffer.append(contentsOf: $0) }
        try flush()
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            throw .io("cannot finish \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        finished = true
        guard rename(temporaryPath, path) == 0 else {
            unlink(temporaryPath)
            throw .io("cannot move \(temporaryPath) to \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// Reads a file front to back with POSIX calls into caller memory, checksumming what it reads.
struct BinaryFileReader: ~Copyable {
    private let descriptor: Int32
    let size: Int
    private(set) var offset = 0
    private(set) var checksum = Checksum64()

    init(path: String) throws(VectorIndexError) {
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .io("cannot open \(path): \(String(cString: strerror(errno)))") }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            close(descriptor)
            throw .io("cannot stat \(path): \(String(cString: strerror(errno)))")
        }
        size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    /// Fills `destination` from the file; a short file is a ``VectorIndexError/truncatedFile(expectedBytes:actualBytes:)``.
    mutating func read(into destination: UnsafeMutableRawBufferPointer, checksummed: Bool = true) throws(VectorIndexError) {
        guard offset + destination.count <= size else {
            throw .truncatedFile(expectedBytes: offset + destination.count, actualBytes: size)
        }
        var filled = 0
        while filled < destination.count {
            let got = Glibc_read(descriptor, destination.baseAddress! + filled, destination.count - filled)
            if got < 0 {
                if errno == EINTR { continue }
                throw .io("read failed: \(String(cString: strerror(errno)))")
            }
            if got == 0 { throw .truncatedFile(expectedBytes: offset + destination.count, actualBytes: offset + filled) }
            filled += got
        }
        offset += filled
        if checksummed { checksum.update(UnsafeRawBufferPointer(destination)) }
    }

    mutating func read<T>(into pointer: UnsafeMutablePointer<T>, count: Int) throws(VectorIndexError) {
        try read(into: UnsafeMutableRawBufferPointer(start: pointer, count: count * MemoryLayout<T>.stride))
    }

    mutating func readBytes(_ count: Int) throws(VectorIndexError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let result = bytes.withUnsafeMutableBytes { raw in Result { () throws(VectorIndexError) in try read(into: raw) } }
        try result.get()
        return bytes
    }
}

@inline(__always)
private func Glibc_read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    return Darwin.read(descriptor, buffer, count)
    #elseif canImport(Musl)
    return Musl.read(descriptor, buffer, count)
    #else
    return Glibc.read(descriptor, buffer, count)
    #endif
}

/// Little-endian encoding of header fields.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ string: String) {
        append(UInt32(string.utf8.count))
        bytes.append(contentsOf: string.utf8)
    }

    mutating func append(raw: [UInt8]) { bytes.append(contentsOf: raw) }
}

/// Little-endian decoding of header fields, failing with a typed error past the end.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func read<T: FixedWidthInteger>(_ type: T.Type) throws(VectorIndexError) -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw .corruptFile("a field runs past the end of its section") }
        let value = bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        offset += size
        return value
    }

    mutating func readString() throws(VectorIndexError) -> String {
        let count = Int(try read(UInt32.self))
        guard count <= remaining else { throw .corruptFile("a string runs past the end of its section") }
        defer { offset += count }
        guard let string = String(validating: bytes[offset..<(offset + count)], as: UTF8.self) else {
            throw .corruptFile("a string is not valid UTF-8")
        }
        return string
    }
}
