/// Each document's distinct term ids, so removing a document can lower exactly the document
/// frequencies it raised.
///
/// The ids of a document are sorted and stored as variable-length deltas (7 bits a byte): common
/// terms have small ids, so most deltas take one byte, and the lists cost about a third of plain
/// `UInt32`s. They are read only when a document is removed, compacted away or rolled back.
struct ForwardLists: Sendable {
    private var bytes: [UInt8] = []
    private var starts: [Int] = []

    /// The number of documents.
    var count: Int { starts.count }

    /// Appends the next document's term ids (any order; duplicates are not expected).
    mutating func append(_ termIDs: [UInt32]) {
        starts.append(bytes.count)
        var previous: UInt32 = 0
        for id in termIDs.sorted() {
            var delta = id - previous
            previous = id
            while delta >= 0x80 {
                bytes.append(UInt8(delta & 0x7F) | 0x80)
                delta >>= 7
            }
            bytes.append(UInt8(delta))
        }
    }

    /// The term ids of `document`, ascending.
    func termIDs(of document: Int) -> [UInt32] {
        var ids: [UInt32] = []
        var position = starts[document]
        let end = document + 1 < starts.count ? starts[document + 1] : bytes.count
        var previous: UInt32 = 0
        while position < end {
            var delta: UInt32 = 0
            var shift: UInt32 = 0
            while true {
                let byte = bytes[position]
                position += 1
                delta |= UInt32(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            previous += delta
            ids.append(previous)
        }
        return ids
    }

    /// Forgets the documents from `documentCount` on.
    mutating func truncate(to documentCount: Int) {
        guard documentCount < starts.count else { return }
        bytes.removeSubrange(starts[documentCount]...)
        starts.removeSubrange(documentCount...)
    }

    /// Releases spare capacity.
    mutating func shrinkToFit() {
        bytes = Array(bytes)
        starts = Array(starts)
    }

    var memoryFootprint: Int { bytes.capacity + starts.capacity * 8 }
}
