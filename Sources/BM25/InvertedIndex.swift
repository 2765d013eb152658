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
    /// Per-term counters used while adding one document (all zero between calls).
    private var frequencyScratch: [UInt32] = []
    private var touchedScratch: [UInt32] = []
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
        // Indexes rebuilt by compaction or loading start with an empty scratch array.
        if frequencyScratch.count < terms.count {
            frequencyScratch.append(contentsOf: repeatElement(0, count: terms.count - frequencyScratch.count))
        }
        // One dictionary lookup per token; frequencies are counted in a scratch array by term id
        // (all zero between documents) instead of a per-document dictionary.
        for term in documentTerms {
            let id: UInt32
            if let existing = termIDs[term] {
                id = existing
            } else {
                id = UInt32(terms.count)
                termIDs[term] = id
                terms.append(term)
                postings.append(PostingList())
                frequencyScratch.append(0)
            }
            if frequencyScratch[Int(id)] == 0 { touchedScratch.append(id) }
            frequencyScratch[Int(id)] += 1
        }
        let postings = self.postings  // one retain for the loop, not one per term
        for id in touchedScratch {
            postings[Int(id)].append(document: document, frequency: frequencyScratch[Int(id)], length: length)
            frequencyScratch[Int(id)] = 0
        }
        forwardTerms.append(contentsOf: touchedScratch)
        touchedScratch.removeAll(keepingCapacity: true)
    }

    /// Undoes the adds of every document numbered `documentLimit` or more, and forgets the terms
    /// first seen in them (ids `termLimit` and up): the rollback of a failed batch.
    func truncate(documents documentLimit: Int, terms termLimit: Int) {
        guard documentLimit < forwardStart.count else { return }
        for document in documentLimit..<forwardStart.count where lengths[document] > 0 {
            documentCount -= 1
            totalLength -= Int(lengths[document])
        }
        // Documents were appended in number order, so each one's postings are the lists' last entries.
        for id in forwardTerms[forwardStart[documentLimit]...].reversed() { postings[Int(id)].removeLast() }
        forwardTerms.removeSubrange(forwardStart[documentLimit]...)
        forwardStart.removeSubrange(documentLimit...)
        lengths.truncate(to: documentLimit)
        for term in terms[termLimit...] { termIDs[term] = nil }
        terms.removeSubrange(termLimit...)
        postings.removeSubrange(termLimit...)
        frequencyScratch.removeSubrange(min(termLimit, frequencyScratch.count)...)
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
