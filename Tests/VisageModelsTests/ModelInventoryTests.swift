import Foundation
import Testing
import VisageCore
@testable import VisageModels

/// The cards Visage carries at run time, and the survey that checks a model folder against them.
struct ModelInventoryTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every file a model type can open has one card, and every card's long form exists.
    @Test func everyModelFileHasOneCardAndItsDocumentExists() throws {
        let opened = [
            YuNetDetector.contract.fileName, YuNetDetector.maskedFileName, SFaceEmbedder.contract(for: .float32).fileName,
            SFaceEmbedder.contract(for: .int8).fileName, MaskClassifier.contract.fileName, MaskedFaceAttentionHead.contract.fileName,
            SFaceAgeHead.contract.fileName, SFaceGenderHead.contract.fileName, AgeEstimator.contract.fileName,
            GenderClassifier.contract.fileName, ExpressionClassifier.contract.fileName, FabNetEncoder.contract.fileName,
        ]
        #expect(ModelCard.all.map(\.fileName).sorted() == opened.sorted())
        for card in ModelCard.all {
            let document = Self.repositoryRoot.appendingPathComponent(card.document).path
            #expect(FileManager.default.fileExists(atPath: document), "\(card.fileName): \(card.document)")
            // What a card says of use follows its terms: research-only weights never claim "any".
            if card.trainingData.contains("research") && card.origin.hasPrefix("ours") { #expect(card.use == .researchOnly, "\(card.fileName)") }
        }
    }

    /// The sha256 a card pins for a model we ship is the one `scripts/setup` checks when it copies
    /// the file, so the two cannot drift apart.
    @Test func bundledPinsAreTheSetUpsPins() throws {
        let setup = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("scripts/setup"), encoding: .utf8)
        let block = try #require(setup.firstRange(of: "BUNDLED_MODELS=(").map { setup[$0.upperBound...] })
        let lines = block.prefix { $0 != ")" }.split(separator: "\n")
        let pins = Dictionary(uniqueKeysWithValues: lines.compactMap { line -> (String, String)? in
            let fields = line.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")).split(separator: " ")
            return fields.count == 2 ? (String(fields[0]), String(fields[1])) : nil
        })
        #expect(pins.count == 5, "\(pins)")
        for (file, sha) in pins {
            #expect(ModelCard.named(file)?.installedSHA256 == sha, "\(file)")
        }
    }

    /// On a folder the set-up just made (CI runs it on a fresh machine), every file it installs
    /// is as installed: the conversions are deterministic, so the pins hold on every machine.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: ModelDirectory.default.path(for: SFaceEmbedder.contract.fileName)),
                   "the models are missing: run `make setup`"))
    func aFreshSetUpIsAsInstalled() {
        let inventory = ModelInventory.survey(.default)
        for entry in inventory.entries where !entry.card.isOptIn {
            #expect(entry.state == .asInstalled, "\(entry.card.fileName): \(entry.state) \(entry.sha256 ?? "")")
            #expect(!entry.isProblem)
        }
    }

    /// Each way a folder can be wrong is an entry saying so, and nothing blocks: a named pipe
    /// under a model's name is refused before it is opened.
    @Test func aWrongFolderIsToldFileByFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-inventory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func place(_ card: ModelCard, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: folder.appendingPathComponent(card.fileName))
        }
        try place(SFaceGenderHead.card, Array("not the head".utf8))
        try place(FabNetEncoder.card, [1, 2, 3])
        try place(AgeEstimator.card, [])
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(SFaceAgeHead.card.fileName), withIntermediateDirectories: false)
        #expect(mkfifo(folder.appendingPathComponent(ExpressionClassifier.card.fileName).path, 0o600) == 0)
        let loop = folder.appendingPathComponent(GenderClassifier.card.fileName).path
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)

        let inventory = ModelInventory.survey(ModelDirectory(url: folder))
        let byFile = Dictionary(uniqueKeysWithValues: inventory.entries.map { ($0.card.fileName, $0) })
        let gender = try #require(byFile[SFaceGenderHead.card.fileName])
        #expect(gender.state == .differs && gender.isProblem && gender.bytes == 12)
        // sha256("not the head"), as `sha256sum` prints it.
        #expect(gender.sha256 == "947e347d6dd4343ead4b486445a5d85a8efc6cc69f4428336b81c51814b2d89d")
        #expect(byFile[AgeEstimator.card.fileName]?.state == .differs)
        #expect(byFile[AgeEstimator.card.fileName]?.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let fabnet = try #require(byFile[FabNetEncoder.card.fileName])
        #expect(fabnet.state == .present && !fabnet.isProblem)
        guard case let .unreadable(folderReason)? = byFile[SFaceAgeHead.card.fileName]?.state else { Issue.record("a folder is unreadable"); return }
        #expect(folderReason.contains("folder"))
        guard case let .unreadable(pipeReason)? = byFile[ExpressionClassifier.card.fileName]?.state else { Issue.record("a FIFO is unreadable"); return }
        #expect(pipeReason.contains("named pipe"))
        guard case let .unreadable(loopReason)? = byFile[GenderClassifier.card.fileName]?.state else { Issue.record("a link to itself is unreadable"); return }
        #expect(loopReason.contains("symbolic link"))
        let yunet = try #require(byFile[YuNetDetector.card.fileName])
        #expect(yunet.state == .missing && yunet.isProblem && yunet.advice?.contains("make setup") == true)
        let masked = try #require(byFile[YuNetDetector.maskedCard.fileName])
        #expect(masked.state == .missing && !masked.isProblem && masked.advice == nil)
    }

    /// THIRD_PARTY_NOTICES.md names every package Package.swift depends on and every model file
    /// Visage can open, so a new dependency or model cannot ship without its terms written down.
    @Test func theNoticesNameEveryDependencyAndModel() throws {
        let notices = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("THIRD_PARTY_NOTICES.md"), encoding: .utf8)
        let manifest = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let packages = manifest.matches(of: #/\.package\(url: "https://github\.com/([^"]+?)(?:\.git)?"/#).map { String($0.output.1) }
        #expect(packages.count >= 15, "\(packages)")
        for package in packages {
            #expect(notices.contains(package), "THIRD_PARTY_NOTICES.md does not name \(package)")
        }
        for card in ModelCard.all {
            #expect(notices.contains("`\(card.fileName)`"), "THIRD_PARTY_NOTICES.md does not name \(card.fileName)")
        }
    }
}
