package io.m365sync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The BOM has no parent (so importing it never pins our build's third-party versions), so nothing in
 * Maven keeps it in step with the reactor: this test does. It lists every module that is deployed,
 * nothing else, at the reactor's version.
 */
class BomTest {
  private static final Path ROOT = Path.of("..");

  @Test
  void theBomListsEveryDeployedModuleAtTheReactorVersion() throws Exception {
    Document parent = read(ROOT.resolve("pom.xml"));
    List<String> deployed = new ArrayList<>();
    for (String module : texts(parent.getDocumentElement(), "modules", "module")) {
      if (module.equals("bom")) {
        continue;
      }
      Document pom = read(ROOT.resolve(module).resolve("pom.xml"));
      boolean skipped = texts(pom.getDocumentElement(), "properties", "maven.deploy.skip").contains("true");
      if (!skipped) {
        deployed.add(child(pom.getDocumentElement(), "artifactId").getTextContent().strip());
      }
    }
    Document bom = read(ROOT.resolve("bom").resolve("pom.xml"));
    Element managed = child(child(bom.getDocumentElement(), "dependencyManagement"), "dependencies");
    List<String> listed = new ArrayList<>();
    for (Element dependency : children(managed, "dependency")) {
      assertThat(child(dependency, "version").getTextContent()).isEqualTo("${project.version}");
      listed.add(child(dependency, "artifactId").getTextContent().strip());
    }

    assertThat(deployed).contains("m365sync-core").doesNotContain("m365sync-examples");
    assertThat(listed).containsExactlyInAnyOrderElementsOf(deployed);
    assertThat(child(bom.getDocumentElement(), "version").getTextContent())
        .isEqualTo(child(parent.getDocumentElement(), "version").getTextContent());
    assertThat(bom.getDocumentElement().getElementsByTagName("parent").getLength()).as("the BOM has no parent").isZero();
  }

  private static Document read(Path pom) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
  }

  private static List<String> texts(Element root, String container, String name) {
    Element c = child(root, container);
    return c == null ? List.of() : children(c, name).stream().map(e -> e.getTextContent().strip()).toList();
  }

  private static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i).getNodeType() == Node.ELEMENT_NODE && nodes.item(i).getNodeName().equals(name)) {
        out.add((Element) nodes.item(i));
      }
    }
    return out;
  }
}
