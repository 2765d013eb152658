import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One measured configuration: printed as a JSON line, or gathered into a table.
struct Measurement {
    var fields: [(String, Value)]

    enum Value {
        case text(String)
        case integer(Int)
        case number(Double)

        var json: String {
            switch self {
            case .text(let text): return "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
            case .integer(let value): return String(value)
            case .number(let value): return value.isFinite ? String(value) : "null"
            }
        }

        var cell: String {
            switch self {
            case .text(let text): return text
            case .integer(let value): return String(value)
            case .number(let value): return value.formatted(decimals: value.magnitude >= 100 ? 0 : 4)
            }
        }
    }
}

struct Report {
    let json: Bool
    private var rows: [Measurement] = []

    init(json: Bool) { self.json = json }

    mutating func add(_ measurement: Measurement) {
        if json {
            print("{" + measurement.fields.map { "\"\($0.0)\":\($0.1.json)" }.joined(separator: ",") + "}")
        } else {
            rows.append(measurement)
        }
    }

    func printTable() {
        guard !json, let first = rows.first else { return }
        let headers = first.fields.map(\.0)
        let cells = rows.map { $0.fields.map(\.1.cell) }
        let widths = headers.indices.map { column in
            max(headers[column].count, cells.map { $0[column].count }.max() ?? 0)
        }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        print(line(headers))
        print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for row in cells { print(line(row)) }
    }
}

extension Double {
    func formatted(decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (self * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: "."), decimals > 0 {
            let have = text.distance(from: dot, to: text.endIndex) - 1
            if have < decimals { text += String(repeating: "0", count: decimals - have) }
        } else if decimals == 0, text.hasSuffix(".0") {
            text.removeLast(2)
        }
        return text
    }
}

/// Monotonic seconds.
func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// The process's resident memory in bytes (Linux `/proc/self/statm`; 0 elsewhere).
/// Returns freed heap pages to the system (glibc keeps them otherwise), so a resident-set
/// difference counts live memory only.
func releaseFreedMemory() {
    #if os(Linux)
    // glibc's malloc_trim is not in the Glibc module map; look it up at run time.
    typealias Trim = @convention(c) (Int) -> Int32
    if let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "malloc_trim") {
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }
    #endif
}

/// Bytes the C heap has handed out and not had back (glibc's `malloc_info` totals: system memory
/// minus free chunks), or nil where that is not available. Unlike the resident set, this does not
/// depend on which freed pages the allocator happened to keep.
func liveHeapBytes() -> Int? {
    #if os(Linux)
    typealias Info = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "malloc_info") else { return nil }
    var buffer: UnsafeMutablePointer<CChar>?
    var size = 0
    guard let stream = open_memstream(&buffer, &size) else { return nil }
    _ = unsafeBitCast(symbol, to: Info.self)(0, stream)
    fclose(stream)
    guard let buffer else { return nil }
    defer { free(buffer) }
    let xml = String(cString: buffer)
    // The last <total …> and <system …> elements are the totals over every arena.
    func value(_ prefix: String) -> Int? {
        guard let range = xml.range(of: prefix, options: .backwards) else { return nil }
        let rest = xml[range.upperBound...]
        guard let sizeRange = rest.range(of: "size=\"") else { return nil }
        return Int(rest[sizeRange.upperBound...].prefix { $0.isNumber })
    }
    guard let system = value("<system type=\"current\""), let fast = value("<total type=\"fast\""),
        let rest = value("<total type=\"rest\""), let mapped = value("<total type=\"mmap\"")
    else { return nil }
    return system - fast - rest + mapped
    #else
    return nil
    #endif
}

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count >= 2, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
