package io.m365sync.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.state.IdLink;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The array a small index scans and the maps of a large one answer alike, across the switch. */
class LinkIndexTest {
  private static final MailboxId ALICE = MailboxId.of("contoso", "oid-alice");
  private static final List<Resource> RESOURCES = List.of(Resource.EVENTS, Resource.CONTACTS);

  @Test
  void answersLikeAListOfLinksWhereAPutReplacesWhatEitherIdWasLinkedTo() {
    Random random = new Random(17);
    LinkIndex index = new LinkIndex();
    List<IdLink> expected = new ArrayList<>();
    for (int step = 0; step < 2_000; step++) {
      Resource resource = RESOURCES.get(random.nextInt(RESOURCES.size()));
      // few ids, so puts often replace by one id or the other; the range grows so the index passes 8 links
      int ids = 4 + step / 100;
      String crmId = "crm-" + random.nextInt(ids);
      if (random.nextInt(5) == 0) {
        index.remove(resource, crmId);
        expected.removeIf(l -> l.resource() == resource && l.crmId().equals(crmId));
      } else {
        IdLink link = new IdLink(ALICE, resource, crmId, "remote-" + random.nextInt(ids), "ck" + step, step);
        index.put(link);
        expected.removeIf(l -> l.resource() == resource
            && (l.crmId().equals(link.crmId()) || l.remoteId().equals(link.remoteId())));
        expected.add(link);
      }
      for (Resource r : RESOURCES) {
        assertThat(index.all(r)).as("step %d", step)
            .containsExactlyInAnyOrderElementsOf(expected.stream().filter(l -> l.resource() == r).toList());
        for (int i = 0; i < ids; i++) {
          String crm = "crm-" + i;
          String remote = "remote-" + i;
          assertThat(index.byCrmId(r, crm)).isEqualTo(expected.stream()
              .filter(l -> l.resource() == r && l.crmId().equals(crm)).findFirst().orElse(null));
          assertThat(index.byRemoteId(r, remote)).isEqualTo(expected.stream()
              .filter(l -> l.resource() == r && l.remoteId().equals(remote)).findFirst().orElse(null));
        }
      }
    }
    assertThat(expected.size()).as("the run reached the maps").isGreaterThan(8);
  }
}
