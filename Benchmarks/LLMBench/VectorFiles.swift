import LLMTesting
import Foundation

/// Vectors read from TEXMEX `fvecs`/`ivecs` files or NGT-style TSV, or generated.
struct VectorSet {
    var dimension: Int
    var rows: [[Float]]
}

enum VectorFileError: Error, CustomStringConvertible {
    case malformed(String)

    var description: String {
        switch self {
        case .malformed(let message): message
        }
    }
}

/// Reads `fvecs` (int32 dimension, then that many float32, per row, little-endian).
func readFvecs(_ path: String, limit: Int? = nil) throws -> VectorSet {
    let rows = try readVecs(path, limit: limit) { bytes, offset, count in
        (0..<count).map { Float(bitPattern: bytes.loadLittleEndianUInt32(at: offset + 4 * $0)) }
    }
    return VectorSet(dimension: rows.first?.count ?? 0, rows: rows)
}

/// Reads `ivecs` (int32 dimension, then that many int32, per row).
func readIvecs(_ path: String) throws -> [[Int]] {
    try readVecs(path, limit: nil) { bytes, offset, count in
        (0..<count).map { Int(Int32(bitPattern: bytes.loadLittleEndianUInt32(at: offset + 4 * $0))) }
    }
}

/// Reads TSV rows of numbers; a trailing id column is dropped when `dropLastColumn`.
func readTSV(_ path: String, dropLastColumn: Bool) throws -> VectorSet {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var rows: [[Float]] = []
    for line in text.split(separator: "\n") where !line.isEmpty {
        var values = line.split(separator: "\t").map { Float($0) }
        if dropLastColumn { values.removeLast() }
        guard values.allSatisfy({ $0 != nil }) else { throw VectorFileError.malformed("\(path): a non-numeric value") }
        rows.append(values.map { $0! })
    }
    return VectorSet(dimension: rows.first?.count ?? 0, rows: rows)
}

private func readVecs<T>(_ path: String, limit: Int?, row: ([UInt8], Int, Int) -> [T]) throws -> [[T]] {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    var rows: [[T]] = []
    var offset = 0
    while offset < bytes.count, rows.count < (limit ?? .max) {
        guard offset + 4 <= bytes.count else { throw VectorFileError.malformed("\(path): truncated row header") }
        let count = Int(Int32(bitPattern: bytes.loadLittleEndianUInt32(at: offset)))
        guard count > 0, offset + 4 + 4 * count <= bytes.count else {
            throw VectorFileError.malformed("\(path): truncated or malformed row \(rows.count)")
        }
        rows.append(row(bytes, offset + 4, count))
        offset += 4 + 4 * count
    }
    return rows
}

func writeVecs(_ path: String, rows: [[UInt32]]) throws {
    var bytes: [UInt8] = []
    for row in rows {
        bytes.appendLittleEndian(UInt32(row.count))
        for value in row { bytes.appendLittleEndian(value) }
    }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

extension [UInt8] {
    func loadLittleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3]) << 24
    }

    mutating func appendLittleEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 24))
    }
}

/// A seeded generator of clustered vectors, like real embeddings: Gaussian blobs around random centres.
struct SyntheticVectors {
    var generator: SeededRandomNumberGenerator

    init(seed: UInt64) { generator = SeededRandomNumberGenerator(seed: seed) }

    mutating func make(count: Int, dimension: Int, clusters: Int) -> (base: [[Float]], queries: [[Float]], queryCount: Int) {
        let centres = (0..<clusters).map { _ in (0..<dimension).map { _ in Float(gaussian()) } }
        func sample() -> [Float] {
            let centre = centres[Int(generator.next() % UInt64(clusters))]
            return centre.map { $0 + 0.35 * Float(gaussian()) }
        }
        let queryCount = 1_000
        return ((0..<count).map { _ in sample() }, (0..<queryCount).map { _ in sample() }, queryCount)
    }

    private mutating func gaussian() -> Double {
        let u1 = (Double(generator.next() >> 11) + 0.5) / Double(1 << 53)
        let u2 = Double(generator.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}


func writeFvecs(_ path: String, rows: [[Float]]) throws {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(rows.count * (4 + 4 * (rows.first?.count ?? 0)))
    for row in rows {
        bytes.appendLittleEndian(UInt32(row.count))
        for value in row { bytes.appendLittleEndian(value.bitPattern) }
    }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
