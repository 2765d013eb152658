/// The postings and statistics of one field, over the index's internal document numbers.
final class FieldIndex: @unchecked Sendable {
    let name: String
    let boost: Float
    var termIDs: [String: UInt32] = [:]
    var terms: [String] = []
    var postings: [PostingList] = []
    /// The field's length (terms after analysis) in each document; 0 where absent or removed.
    let lengths = StableBuffer<UInt32>()
    /// Each document's distinct term ids, so removal can update document frequencies exactly.
    var forwardTerms: [UInt32] = []
    var forwardStart: [Int] = []
    /// Live documents that have this field.
    var documentCount = 0
    /// The summed length of the field over live documents.
    var totalLength = 0

    init(name: String, boost: Float) {
        self.name = name
        self.boost = boost
    }

    /// Adds document `document` (the next number) with its analyzed terms.
    func add(document: UInt32, terms documentTerms: [String]) {
        let length = UInt32(documentTerms.count)
        lengths.append(length)
        forwardStart.append(forwardTerms.count)
        guard length > 0 else { return }
        documentCount += 1
        totalLength += Int(length)
        var counts: [String: UInt32] = [:]
        for term in documentTerms { counts[term, default: 0] += 1 }
        for (term, frequency) in counts {
            let id: UInt32
            if let existing = termIDs[term] {
                id = existing
            } else {
                id = UInt32(terms.count)
                termIDs[term] = id
                terms.append(term)
                postings.append(PostingList())
            }
            postings[Int(id)].append(document: document, frequency: frequency, length: length)
            forwardTerms.append(id)
        }
    }

    /// Removes a document's contribution to the statistics (its postings stay, skipped as removed).
    func remove(document: UInt32) {
        let length = lengths[Int(document)]
        guard length > 0 else { return }
        documentCount -= 1
        totalLength -= Int(length)
        lengths[Int(document)] = 0
        let end = Int(document) + 1 < forwardStart.count ? forwardStart[Int(document) + 1] : forwardTerms.count
        for index in forwardStart[Int(document)]..<end {
            postings[Int(forwardTerms[index])].documentFrequency -= 1
        }
    }

    var memoryFootprint: Int {
        postings.reduce(0) { $0 + $1.memoryFootprint } + lengths.memoryFootprint + forwardTerms.capacity * 4
            + forwardStart.capacity * 8 + terms.reduce(0) { $0 + $1.utf8.count + 16 } + termIDs.capacity * 24
    }
}

extension FieldIndex {
    /// A copy without the removed documents, renumbered by `newNumber` (ascending, so postings stay sorted).
    func compacted(newNumber: [UInt32?], liveCount: Int) -> FieldIndex {
        let fresh = FieldIndex(name: name, boost: boost)
        fresh.lengths.reserve(liveCount)
        for (old, new) in newNumber.enumerated() where new != nil { _ = new; fresh.lengths.append(lengths[old]) }
        var termsOfDocument = [[UInt32]](repeating: [], count: liveCount)
        for (id, list) in postings.enumerated() {
            let kept = PostingList()
            for index in 0..<list.count {
                guard let new = newNumber[Int(list.documents[index])] else { continue }
                kept.append(document: new, frequency: list.frequencies[index], length: fresh.lengths[Int(new)])
                termsOfDocument[Int(new)].append(UInt32(id))
            }
            kept.shrinkToFit()
            fresh.postings.append(kept)
        }
        fresh.terms = terms
        fresh.termIDs = termIDs
        for termIDs in termsOfDocument {
            fresh.forwardStart.append(fresh.forwardTerms.count)
            fresh.forwardTerms.append(contentsOf: termIDs)
        }
        fresh.documentCount = documentCount
        fresh.totalLength = totalLength
        return fresh
    }
}
