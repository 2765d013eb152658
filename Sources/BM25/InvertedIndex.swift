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
    var forward = ForwardLists()
    /// While a batch is open, the postings of its documents (term id and frequency, in document
    /// order; `stagedEnds[i]` ends document `batchStart + i`), appended to the lists when it closes.
    private var batchStart: Int?
    private var stagedTermIDs: [UInt32] = []
    private var stagedFrequencies: [UInt32] = []
    private var stagedEnds: [Int] = []
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
        guard length > 0 else {
            if batchStart != nil { stagedEnds.append(stagedTermIDs.count) }
            return forward.append([])
        }
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
                // In a batch the list is made when the batch closes, at its exact size.
                if batchStart == nil { postings.append(PostingList()) }
                frequencyScratch.append(0)
            }
            if frequencyScratch[Int(id)] == 0 { touchedScratch.append(id) }
            frequencyScratch[Int(id)] += 1
        }
        if batchStart != nil {
            for id in touchedScratch {
                stagedTermIDs.append(id)
                stagedFrequencies.append(frequencyScratch[Int(id)])
                frequencyScratch[Int(id)] = 0
            }
            stagedEnds.append(stagedTermIDs.count)
        } else {
            let postings = self.postings  // one retain for the loop, not one per term
            for id in touchedScratch {
                postings[Int(id)].append(document: document, frequency: frequencyScratch[Int(id)], length: length)
                frequencyScratch[Int(id)] = 0
            }
        }
        forward.append(touchedScratch)
        touchedScratch.removeAll(keepingCapacity: true)
    }

    /// Starts a batch: postings of the documents added until ``closeBatch()`` are held aside and
    /// then appended with each list grown once, to its exact size. Growing a hundred thousand
    /// lists by doubling while interleaving their allocations leaves the heap full of holes (at
    /// 100,000 documents the process kept 2.5× the index's size); one exact allocation per list
    /// per batch leaves none.
    func openBatch() {
        batchStart = forward.count
    }

    /// Appends the postings held since ``openBatch()``.
    func closeBatch() {
        guard let start = batchStart else { return }
        batchStart = nil
        var added = [Int](repeating: 0, count: terms.count)
        for id in stagedTermIDs { added[Int(id)] += 1 }
        for (id, count) in added.enumerated() where count > 0 && id < postings.count {
            postings[id].reserveCapacity(postings[id].count + count)
        }
        postings.reserveCapacity(terms.count)
        for id in postings.count..<terms.count { postings.append(PostingList(capacity: added[id])) }
        var position = 0
        for (offset, end) in stagedEnds.enumerated() {
            let document = start + offset
            let length = lengths[document]
            while position < end {
                postings[Int(stagedTermIDs[position])].append(
                    document: UInt32(document), frequency: stagedFrequencies[position], length: length)
                position += 1
            }
        }
        stagedTermIDs = []
        stagedFrequencies = []
        stagedEnds = []
    }

    /// Undoes the adds of every document numbered `documentLimit` or more, and forgets the terms
    /// first seen in them (ids `termLimit` and up): the rollback of a failed batch.
    func truncate(documents documentLimit: Int, terms termLimit: Int) {
        guard documentLimit < forward.count else { return }
        for document in documentLimit..<forward.count where lengths[document] > 0 {
            documentCount -= 1
            totalLength -= Int(lengths[document])
        }
        // Documents were appended in number order, so each one's postings are the lists' last entries.
        // Documents of an open batch have no postings in the lists yet: drop what is held aside.
        var listedLimit = forward.count
        if let start = batchStart {
            let keep = max(0, documentLimit - start)
            let keptPostings = keep == 0 ? 0 : stagedEnds[keep - 1]
            stagedTermIDs.removeSubrange(keptPostings...)
            stagedFrequencies.removeSubrange(keptPostings...)
            stagedEnds.removeSubrange(keep...)
            listedLimit = start
            if documentLimit <= start { batchStart = nil }
        }
        // Every list loses its postings of the dropped documents, whatever order they are undone in.
        for document in documentLimit..<max(documentLimit, listedLimit) {
            for id in forward.termIDs(of: document) { postings[Int(id)].removeLast() }
        }
        forward.truncate(to: documentLimit)
        lengths.truncate(to: documentLimit)
        for term in terms[termLimit...] { termIDs[term] = nil }
        terms.removeSubrange(termLimit...)
        postings.removeSubrange(min(termLimit, postings.count)...)
        frequencyScratch.removeSubrange(min(termLimit, frequencyScratch.count)...)
    }

    /// Removes a document's contribution to the statistics (its postings stay, skipped as removed).
    func remove(document: UInt32) {
        let length = lengths[Int(document)]
        guard length > 0 else { return }
        documentCount -= 1
        totalLength -= Int(length)
        lengths[Int(document)] = 0
        for id in forward.termIDs(of: Int(document)) { postings[Int(id)].documentFrequency -= 1 }
    }

    var memoryFootprint: Int {
        postings.reduce(0) { $0 + $1.memoryFootprint } + lengths.memoryFootprint + forward.memoryFootprint
            + terms.reduce(0) { $0 + $1.utf8.count + 16 } + termIDs.capacity * 24
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
                kept.append(document: new, frequency: list.frequency(at: index), length: fresh.lengths[Int(new)])
                termsOfDocument[Int(new)].append(UInt32(id))
            }
            kept.shrinkToFit()
            fresh.postings.append(kept)
        }
        fresh.terms = terms
        fresh.termIDs = termIDs
        for termIDs in termsOfDocument { fresh.forward.append(termIDs) }
        fresh.documentCount = documentCount
        fresh.totalLength = totalLength
        return fresh
    }
}
