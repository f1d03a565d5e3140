package dev.dispatch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The domain stays plain Java: no AWS SDK, JSON library, framework or CSV library inside it. */
class ArchitectureTest {
    @Test
    void domainDependsOnNoFrameworkOrAdapter() {
        var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.dispatch");
        noClasses().that().resideInAPackage("dev.dispatch.domain..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "software.amazon..", "com.fasterxml..", "io.quarkus..", "jakarta..", "org.apache.commons.csv..",
                        "dev.dispatch.adapter..")
                .check(classes);
    }
}
