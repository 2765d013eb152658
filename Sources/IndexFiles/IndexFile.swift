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

/// Writes an index file through a buffer with POSIX calls, checksumming what it writes.
///
/// Writes go to a temporary file beside the destination (`<path>.partial`), renamed over it by
/// ``finish()``, so a crash or an error mid-save never leaves a half-written index where a good
/// one was. ``finish()`` appends the checksum of everything written.
public struct IndexFileWriter: ~Copyable {
    private let descriptor: Int32
    private let path: String
    private let temporaryPath: String
    private var buffer: [UInt8] = []
    private(set) var checksum = Checksum64()
    private var finished = false

    /// Starts writing the file at `path`.
    public init(path: String) throws(IndexFileError) {
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

    /// Appends bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) throws(IndexFileError) {
        checksum.update(bytes)
        if buffer.count + bytes.count > (1 << 20) { try flush() }
        if bytes.count >= (1 << 20) {
            try writeFully(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Appends bytes.
    public mutating func append(_ bytes: [UInt8]) throws(IndexFileError) {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(IndexFileError) in try append(raw) } }
        try result.get()
    }

    /// Appends the memory of `count` values of a trivial type, as they are laid out (little-endian hosts only).
    public mutating func append<T: BitwiseCopyable>(contentsOf pointer: UnsafePointer<T>, count: Int) throws(IndexFileError) {
        try append(UnsafeRawBufferPointer(start: pointer, count: count * MemoryLayout<T>.stride))
    }

    private mutating func flush() throws(IndexFileError) {
        let pending = buffer
        buffer.removeAll(keepingCapacity: true)
        let result = pending.withUnsafeBytes { raw in Result { () throws(IndexFileError) in try writeFully(raw) } }
        try result.get()
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer) throws(IndexFileError) {
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
    public consuming func finish() throws(IndexFileError) {
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

/// Reads an index file front to back with POSIX calls straight into caller memory,
/// checksumming what it reads, so loading is a few large reads bounded by disk speed.
public struct IndexFileReader: ~Copyable {
    private let descriptor: Int32
    /// The file's size in bytes.
    public let size: Int
    /// How many bytes have been read.
    public private(set) var offset = 0
    /// The checksum of what has been read with `checksummed: true`.
    public private(set) var checksum = Checksum64()

    /// Opens the file at `path`.
    public init(path: String) throws(IndexFileError) {
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

    /// Fills `destination` from the file; a short file is ``IndexFileError/truncated(expectedBytes:actualBytes:)``.
    public mutating func read(into destination: UnsafeMutableRawBufferPointer, checksummed: Bool = true) throws(IndexFileError) {
        guard offset + destination.count <= size else {
            throw .truncated(expectedBytes: offset + destination.count, actualBytes: size)
        }
        var filled = 0
        while filled < destination.count {
            let got = posixRead(descriptor, destination.baseAddress! + filled, destination.count - filled)
            if got < 0 {
                if errno == EINTR { continue }
                throw .io("read failed: \(String(cString: strerror(errno)))")
            }
            if got == 0 { throw .truncated(expectedBytes: offset + destination.count, actualBytes: offset + filled) }
            filled += got
        }
        offset += filled
        if checksummed { checksum.update(UnsafeRawBufferPointer(destination)) }
    }

    /// Fills the memory of `count` values of a trivial type.
    public mutating func read<T: BitwiseCopyable>(into pointer: UnsafeMutablePointer<T>, count: Int) throws(IndexFileError) {
        try read(into: UnsafeMutableRawBufferPointer(start: pointer, count: count * MemoryLayout<T>.stride))
    }

    /// Reads `count` bytes.
    public mutating func readBytes(_ count: Int) throws(IndexFileError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let result = bytes.withUnsafeMutableBytes { raw in Result { () throws(IndexFileError) in try read(into: raw) } }
        try result.get()
        return bytes
    }
}

@inline(__always)
private func posixRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    return Darwin.read(descriptor, buffer, count)
    #elseif canImport(Musl)
    return Musl.read(descriptor, buffer, count)
    #else
    return Glibc.read(descriptor, buffer, count)
    #endif
}

/// Little-endian encoding of header fields and small sections.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty writer.
    public init() {}

    /// Appends an integer, little-endian.
    public mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a `Float`'s bits, little-endian.
    public mutating func append(_ value: Float) { append(value.bitPattern) }

    /// Appends a `Double`'s bits, little-endian.
    public mutating func append(_ value: Double) { append(value.bitPattern) }

    /// Appends a UTF-8 string with a 32-bit length prefix.
    public mutating func append(_ string: String) {
        append(UInt32(string.utf8.count))
        bytes.append(contentsOf: string.utf8)
    }

    /// Appends bytes as they are.
    public mutating func append(raw: [UInt8]) { bytes.append(contentsOf: raw) }
}

/// Little-endian decoding of header fields and small sections, failing with a typed error past the end.
public struct ByteReader: Sendable {
    /// The bytes being read.
    public let bytes: [UInt8]
    /// The position of the next read.
    public private(set) var offset = 0

    /// Reads from `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Bytes not yet read.
    public var remaining: Int { bytes.count - offset }

    /// Reads an integer, little-endian.
    public mutating func read<T: FixedWidthInteger>(_ type: T.Type) throws(IndexFileError) -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw .corrupt("a field runs past the end of its section") }
        let value = bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        offset += size
        return value
    }

    /// Reads a `Float` from its bits.
    public mutating func read(_ type: Float.Type) throws(IndexFileError) -> Float {
        Float(bitPattern: try read(UInt32.self))
    }

    /// Reads a `Double` from its bits.
    public mutating func read(_ type: Double.Type) throws(IndexFileError) -> Double {
        Double(bitPattern: try read(UInt64.self))
    }

    /// Reads a string written by ``ByteWriter/append(_:)-(String)``.
    public mutating func readString() throws(IndexFileError) -> String {
        let count = Int(try read(UInt32.self))
        guard count <= remaining else { throw .corrupt("a string runs past the end of its section") }
        defer { offset += count }
        guard let string = String(validating: bytes[offset..<(offset + count)], as: UTF8.self) else {
            throw .corrupt("a string is not valid UTF-8")
        }
        return string
    }

    /// Reads `count` bytes.
    public mutating func readBytes(_ count: Int) throws(IndexFileError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw .corrupt("a section runs past the end of the file") }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }
}
