import ArgumentParser
import VisageJSON
import Foundation
import VisageCore
import VisageGallery

struct PeopleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "people",
        abstract: "List, show and delete the people of a gallery.",
        discussion: """
        Examples:
          visage people list --gallery staff.gallery
          visage people delete --gallery staff.gallery 12
        """,
        subcommands: [List.self, Show.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List everyone: id, name, number of templates.",
            discussion: """
            Examples:
              visage people list --gallery staff.gallery
              visage people list --gallery staff.gallery --json
            """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GalleryOptions

        func run() async throws {
            let people = try await options.open().people()
            for person in people {
                if global.json {
                    printNow(person.json.rendered)
                } else {
                    print("#\(person.id)  \(person.name)  (\(person.templateCount) template\(person.templateCount == 1 ? "" : "s"))")
                }
            }
            if !global.json, people.isEmpty { print("the gallery is empty") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one person and their templates (source hash, box, quality), never the embeddings.",
            discussion: """
            Examples:
              visage people show --gallery staff.gallery 12
              visage people show --gallery staff.gallery --json 12
            """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GalleryOptions

        @Argument(help: "The person's id.")
        var id: Int64

        func run() async throws {
            let (person, templates) = try await options.open().person(id)
            if global.json {
                print(person.json(templates: templates).rendered)
            } else {
                print("#\(person.id)  \(person.name)  enrolled \(ISO8601DateFormatter().string(from: person.created))")
                for (key, value) in person.metadata.sorted(by: { $0.key < $1.key }) { print("  \(key): \(value)") }
                for t in templates {
                    var line = "  template #\(t.id)  \(t.model)"
                    if let q = t.quality { line += String(format: "  quality %.3f", q) }
                    if let sha = t.sourceSHA256 { line += "  sha256 \(sha.prefix(16))…" }
                    print(line)
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete people and every template of theirs; the bytes are overwritten in the file.",
            discussion: """
            Examples:
              visage people delete --gallery staff.gallery 12
              visage people delete --gallery staff.gallery --json 12 13
            """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GalleryOptions

        @Argument(help: "Ids of the people to delete.")
        var ids: [Int64]

        func run() async throws {
            let gallery = try await options.open()
            var unknown = 0
            for id in ids {
                do {
                    let removed = try await gallery.delete(personID: id)
                    printNow(global.json
                        ? VisageJSON.deletion(id: id, templates: removed).rendered
                        : "deleted #\(id) and \(removed) template\(removed == 1 ? "" : "s")")
                } catch let error as GalleryError {
                    guard case .unknownPerson = error else { throw error }
                    unknown += 1
                    if global.json {
                        printNow(JSONValue.object([("id", .integer(Int(id))), ("error", .string(error.localizedDescription))]).rendered)
                    } else {
                        printError(error.localizedDescription)
                    }
                }
            }
            if unknown > 0 { throw VisageExitCode.badInput }
        }
    }
}
