import ArgumentParser
import VisageJSON
import Foundation
import VisageCore
import VisageEvaluation
import VisageGallery

struct GalleryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery",
        abstract: "Gallery-wide operations: statistics, export, import, audit trail, re-embedding for masked faces, the consent rule, reviewed thresholds.",
        discussion: """
        Examples:
          visage gallery stats --gallery staff.gallery
          visage gallery export --gallery staff.gallery backup.jsonl
          visage gallery reembed --gallery staff.gallery enrolment-photos/
          visage gallery consent required --gallery staff.gallery
          visage gallery threshold --gallery staff.gallery --set 0.52 --note "pilot of 2026-12-04 (out/calibration/pilot), reviewed by J. Doe"
        """,
        subcommands: [Stats.self, Export.self, Import.self, Audit.self, Reembed.self, Consent.self, Threshold.self]
    )

    struct Threshold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the gallery's identification thresholds, or store ones chosen after a review of a pilot.",
            discussion: """
            The calibrated defaults (0.4952, masked probes 0.4559) were measured on CFP's \
            celebrities; a gallery of other people, cameras or sizes should be checked on its \
            own photos first: `visage calibrate --protocol folders PHOTOS` runs that pilot and \
            proposes thresholds with the pairs a person should look at. The thresholds chosen \
            are stored in the gallery with a note of who chose them and why, so `identify`, \
            `ask` and every `serve` node sharing the gallery decide with them (a running server \
            at its next request); each change is written to the audit trail (operation \
            `policy`). `--threshold` and `--masked-threshold` on a command still override them \
            for that command.

            `--from-pilot REPORT.json` stores what the pilot proposed, after a person has read \
            its report: a threshold it could resolve at its target rate, or one that raises the \
            threshold in use (strangers already reach it; a raise is safe on little evidence, a \
            cut is not). Proposals it could not resolve that would lower a threshold are left out \
            and said why.

            Examples:
              visage gallery threshold --gallery staff.gallery
              visage gallery threshold --gallery staff.gallery --set 0.52 --note "pilot of 2026-12-04, FPIR 1e-2 on 40 staff; reviewed by J. Doe"
              visage gallery threshold --gallery staff.gallery --set-masked 0.50 --note "masked pilot, 12 staff"
              visage gallery threshold --gallery staff.gallery --from-pilot out/calibration/staff/report.json --note "reviewed by J. Doe"
              visage gallery threshold --gallery staff.gallery --clear
            """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GalleryOptions

        @Option(name: .customLong("set"), help: ArgumentHelp("Store this identification threshold (SFace cosine).", valueName: "similarity"))
        var newThreshold: Float?

        @Option(name: .customLong("set-masked"), help: ArgumentHelp("Store this threshold for masked probes (the attention head's cosine).", valueName: "similarity"))
        var newMaskedThreshold: Float?

        @Option(name: .customLong("from-pilot"), help: ArgumentHelp("Store the thresholds this pilot report (visage calibrate --protocol folders) proposes.", valueName: "report.json"))
        var pilotReport: String?

        @Option(help: ArgumentHelp("Who chose the thresholds and on what evidence (required with --set, --set-masked or --from-pilot).", valueName: "text"))
        var note: String?

        @Flag(help: "Remove the stored thresholds: back to the calibrated defaults.")
        var clear = false

        func validate() throws {
            try validateSimilarity(newThreshold, "--set")
            try validateSimilarity(newMaskedThreshold, "--set-masked")
            let setting = newThreshold != nil || newMaskedThreshold != nil || pilotReport != nil
            if clear && (setting || note != nil) { throw ValidationError("--clear goes alone: not with --set, --set-masked, --from-pilot or --note.") }
            if pilotReport != nil && (newThreshold != nil || newMaskedThreshold != nil) {
                throw ValidationError("--from-pilot takes the thresholds from the report: not with --set or --set-masked.")
            }
            if setting && (note ?? "").allSatisfy(\.isWhitespace) {
                throw ValidationError("Say who chose the threshold and on what evidence: --note TEXT (for example the pilot report and the reviewer).")
            }
            if !setting && note != nil { throw ValidationError("--note goes with --set, --set-masked or --from-pilot.") }
        }

        func run() async throws {
            if clear {
                // Straight in the store: a gallery whose stored thresholds cannot be read does not open.
                try await Gallery.clearReviewedThresholds(in: try await options.openExistingStore())
            }
            var newThreshold = newThreshold, newMaskedThreshold = newMaskedThreshold, note = note
            if let pilotReport {
                // Read before the gallery opens: a report that proposes nothing changes nothing.
                let chosen = try Self.proposals(in: pilotReport)
                newThreshold = chosen.threshold
                newMaskedThreshold = chosen.maskedThreshold
                note = note.map { "\($0); proposed by the pilot \(pilotReport)" }
            }
            let gallery = try await options.open()
            if newThreshold != nil || newMaskedThreshold != nil, let note {
                // Setting one keeps the other reviewed value, if there was one.
                let stored = await gallery.thresholds.reviewed
                try await gallery.setReviewedThresholds(ReviewedThresholds(threshold: newThreshold ?? stored?.threshold,
                                                                           maskedThreshold: newMaskedThreshold ?? stored?.maskedThreshold, note: note))
            }
            let thresholds = await gallery.thresholds
            if global.json {
                print(thresholds.json.rendered)
            } else {
                print("\(options.shownLocation):\n" + Self.text(thresholds))
            }
        }

        /// The thresholds a pilot report proposes that may be stored (``PilotReport/Proposal/storable``);
        /// each one left out is said on stderr with the pilot's reason. Exit 3 when the file is no
        /// pilot report or proposes nothing storable.
        static func proposals(in path: String) throws -> (threshold: Float?, maskedThreshold: Float?) {
            struct Report: Decodable {
                var kind: String?
                var proposals: [PilotReport.Proposal]?
            }
            let report: Report
            do {
                report = try JSONDecoder().decode(Report.self, from: try SmallFile.contents(of: path, limit: 64 << 20))
            } catch let error as SmallFile.Unreadable {
                printError("Cannot read the pilot report \(path): \(error.reason)")
                throw VisageExitCode.badInput
            } catch {
                printError("\(path) is not a pilot report (report.json of `visage calibrate --protocol folders`): it is not JSON of that shape.")
                throw VisageExitCode.badInput
            }
            guard report.kind == "pilot", let proposals = report.proposals else {
                printError("\(path) is not a pilot report (report.json of `visage calibrate --protocol folders`).")
                throw VisageExitCode.badInput
            }
            var chosen: (threshold: Float?, maskedThreshold: Float?) = (nil, nil)
            for proposal in proposals {
                guard let value = proposal.storable else {
                    printError("\(proposal.setting) left as it is: \(proposal.reason)")
                    continue
                }
                switch proposal.setting {
                case "threshold": chosen.threshold = value
                case "masked_threshold": chosen.maskedThreshold = value
                default: printError("\(proposal.setting): not a gallery threshold, left out")
                }
            }
            guard chosen.threshold != nil || chosen.maskedThreshold != nil else {
                printError("The pilot \(path) proposes no threshold to store; nothing changed.")
                throw VisageExitCode.badInput
            }
            return chosen
        }

        static func origin(_ source: Gallery.Thresholds.Source) -> String {
            switch source {
            case .configuration: "given on the command line"
            case .reviewed: "reviewed"
            case .calibrated: "calibrated default (CFP)"
            }
        }

        /// "0.5200 (reviewed 2026-12-04T…: note), masked probes 0.4559 (calibrated default (CFP))".
        static func oneLine(_ t: Gallery.Thresholds) -> String {
            String(format: "%.4f (%@), masked probes %.4f (%@)", t.threshold, origin(t.thresholdSource), t.maskedThreshold, origin(t.maskedThresholdSource))
                + (t.reviewed.map { "; reviewed \($0.date.formatted(.iso8601)): \($0.note)" } ?? "")
        }

        static func text(_ t: Gallery.Thresholds) -> String {
            var lines = [String(format: "  identification threshold %.4f (%@)", t.threshold, origin(t.thresholdSource)),
                         String(format: "  masked probes %.4f (%@)", t.maskedThreshold, origin(t.maskedThresholdSource))]
            if let r = t.reviewed {
                lines.append("  reviewed \(r.date.formatted(.iso8601)): \(r.note)")
            }
            return lines.joined(separator: "\n")
        }
    }

    struct Consent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Require a consent record to enrol anyone (or stop requiring it); creates the gallery when missing.",
            discussion: """
            With the rule on, `visage enroll`, `visage gallery import` and POST /v1/people refuse a \
            person without a consent record: `enroll --consent TEXT` (metadata key `consent`: where \
            the signed form is kept, what it covers). Visage stores the record with the person and \
            exports it; it does not judge it. The rule lives in the gallery, so every process and \
            service node sharing it follows it; each change is written to the audit trail \
            (operation `policy`). People enrolled before stay: `gallery stats` counts those \
            without a record.

            Examples:
              visage gallery consent required --gallery staff.gallery
              visage gallery consent optional --gallery staff.gallery
            """
        )

        enum Rule: String, ExpressibleByArgument, CaseIterable {
            case required, optional
        }

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GalleryOptions

        @Argument(help: "required (a consent record for every new person) or optional.")
        var rule: Rule

        func run() async throws {
            let gallery = try await options.open(creating: true)
            try await gallery.setConsentRequired(rule == .required)
            let stats = try await gallery.stats()
            if global.json {
                print(JSONValue.object([("consent_required", .bool(stats.consentRequired)),
                                        ("people_without_consent", .integer(stats.peopleWithoutConsent))]).rendered)
            } else {
                print("\(options.shownLocation): consent record " + (stats.consentRequired ? "required to enrol" : "not required")
                      + (stats.peopleWithoutConsent > 0 ? "; \(stats.peopleWithoutConsent) of \(stats.people) people enrolled have none" : ""))
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "People, templates, sizes, encryption and threshold.",
            discussion: """
            Examples:
              visage gallery stats --gallery staff.gallery
              visage gallery stats --gallery staff.gallery --json
            """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GalleryOptions

        func run() async throws {
            let s = try await options.open().stats()
            if global.json {
                print(JSONValue.object([
                    ("people", .integer(s.people)), ("templates", .integer(s.templates)),
                    ("model", .string(s.model)), ("dimension", .integer(s.dimension)),
                    ("encrypted", .bool(s.encrypted)), ("threshold", .number(s.threshold, decimals: 4)),
                    ("masked_threshold", .number(s.maskedThreshold, decimals: 4)), ("masked_templates", .integer(s.maskedTemplates)),
                    ("store_bytes", s.storeBytes.map { .integer($0) } ?? .null), ("index_bytes", .integer(s.indexBytes)),
                    ("consent_required", .bool(s.consentRequired)), ("people_without_consent", .integer(s.peopleWithoutConsent)),
                    ("thresholds", s.thresholds.json),
                ]).rendered)
            } else {
                print("""
                    \(options.shownLocation): \(s.people) people, \(s.templates) templates (\(s.model), \(s.dimension)-d)
                      encrypted: \(s.encrypted ? "yes (AES-256-GCM)" : "no")
                    \(Threshold.text(s.thresholds))
                      templates with an attention-head embedding (searched for masked faces): \(s.maskedTemplates) of \(s.templates)\(s.maskedTemplates < s.templates ? " (`visage gallery reembed` adds the rest)" : "")
                      file: \(s.storeBytes.map { "\($0) bytes" } ?? "unknown"), index in memory: \(s.indexBytes) bytes
                      consent record: \(s.consentRequired ? "required to enrol" : "not required (`visage gallery consent required` turns it on)"), \(s.peopleWithoutConsent) of \(s.people) people without one
                    """)
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every person and template as JSON lines (embeddings in clear: protect the file).",
            discussion: """
            Examples:
              visage gallery export --gallery staff.gallery backup.jsonl
              VISAGE_GALLERY_KEY=$(cat key.hex) visage gallery export --gallery secure.gallery backup.jsonl
            """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GalleryOptions

        @Argument(help: "The JSON lines file to write (mode 600).")
        var file: String

        func run() async throws {
            if let problem = OutputPath.fileProblem(file) { throw CommandFailure("Cannot write \(file): \(problem).") }
            let count = try await options.open().export(to: URL(fileURLWithPath: file))
            print(global.json ? JSONValue.object([("exported", .integer(count)), ("file", .string(file))]).rendered
                              : "exported \(count) people to \(file)")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enrol the people of an export file as new people (new ids), one commit each.",
            discussion: """
            Each person is printed once committed. Templates of another model than the gallery's \
            are refused.

            Examples:
              visage gallery import --gallery new.gallery backup.jsonl
              visage gallery import --gallery new.gallery --key-file key.hex --json backup.jsonl
            """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GalleryOptions

        @Argument(help: "A JSON lines file written by `visage gallery export`.")
        var file: String

        func run() async throws {
            let json = global.json
            let count = try await options.open(creating: true).importPeople(from: URL(fileURLWithPath: file)) { person in
                printNow(json ? person.json.rendered : "imported #\(person.id) \(person.name)")
            }
            if !json { print("imported \(count) people into \(options.shownLocation)") }
        }
    }

    struct Reembed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give templates enrolled before masked-face identification their attention-head embedding, from the enrolment photos.",
            discussion: """
            A masked face is searched through the attention head, so it can only be matched with \
            templates that hold the head's embedding. Galleries made before Visage stored it \
            (and templates of an older head) lack it, and a template keeps no image, only the \
            SHA-256 of its photo and the face's box: give the enrolment photos (files or folders) \
            and each photo whose hash a template names is analysed again, the face at the stored \
            box measured, and every template found is updated in one transaction. Templates \
            whose photo is not given stay as they are (unmasked searches still use them): \
            re-enrol those people. A photo that cannot be read is named with the reason and the \
            exit code is 3 (the others are still used), as in analyze and train-head.

            Examples:
              visage gallery reembed --gallery staff.gallery enrolment-photos/
              visage gallery reembed --gallery postgres://visage@db/staff --json photos/
            """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GalleryOptions

        @Argument(help: "The enrolment photos: files or folders.")
        var paths: [String]

        func run() async throws {
            let images = ImageInputs.expand(paths)
            guard !images.isEmpty else { throw ValidationError("No images found in: \(paths.joined(separator: ", ")).") }
            let gallery = try await options.open(analyzer: try global.makeAnalyzer(tasks: Gallery.analyzerTasks))
            let r = try await gallery.reembed(images: images)
            let left = r.missing - r.updated
            if global.json {
                print(JSONValue.object([
                    ("missing", .integer(r.missing)), ("updated", .integer(r.updated)), ("not_found", .integer(r.notFound)),
                    ("still_missing", .integer(left)), ("images", .integer(r.imagesRead)), ("images_matched", .integer(r.imagesMatched)),
                    ("unreadable", .array(r.unreadable.map { .object([("image", .string($0.path)), ("error", .string(FaceReport.message(for: $0.error)))]) })),
                ]).rendered)
            } else {
                print("\(r.updated) of \(r.missing) templates without an attention-head embedding updated (\(r.imagesMatched) of \(r.imagesRead) images were enrolment photos)")
                for image in r.unreadable { printError("\(image.path): \(FaceReport.message(for: image.error))") }
                if r.notFound > 0 { printError("\(r.notFound) templates' photos were given but their face was not found again at the stored box") }
                if left > 0 { printError("\(left) templates still have none: give their enrolment photos, or re-enrol those people; masked faces cannot be matched with them") }
            }
            if !r.unreadable.isEmpty { throw VisageExitCode.badInput }
        }
    }

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the latest audit entries: time, actor (and the API key's role), operation, outcome, person ids, request id, what a policy change changed.",
            discussion: """
            Examples:
              visage gallery audit --gallery staff.gallery
              visage gallery audit --gallery staff.gallery --limit 1000 --json
            """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GalleryOptions

        @Option(help: "Entries to show, newest first.")
        var limit = 50

        func validate() throws {
            if limit < 1 { throw ValidationError("--limit must be at least 1.") }
        }

        func run() async throws {
            let formatter = ISO8601DateFormatter()
            for entry in try await options.open().auditLog(limit: limit) {
                if global.json {
                    print(entry.json.rendered)
                } else {
                    let who = entry.role.map { "\(entry.actor) (\($0))" } ?? entry.actor
                    let request = entry.requestID.map { "  request \($0)" } ?? ""
                    let detail = entry.detail.map { "  \($0)" } ?? ""
                    print("\(formatter.string(from: entry.time))  \(who)  \(entry.operation.rawValue)  \(entry.outcome)  \(entry.personIDs.map { "#\($0)" }.joined(separator: " "))\(request)\(detail)")
                }
            }
        }
    }
}
