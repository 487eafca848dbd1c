package io.emailgateway.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.event.EventType;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventBatchTest {
  private final EventBatch batch = EventBatch.of(new Long[] {1L, 2L, 3L, 4L, 5L},
      new String[] {"delivered", "bounced", "opened", "delivered", "some_future_type"},
      new String[] {"sg", "sg", "mg", "mg", "sg"});

  @Test
  void selectsTheEventsOfTheGivenTypesInBatchOrder() {
    assertThat(batch.idsOf(EnumSet.of(EventType.DELIVERED, EventType.BOUNCED))).containsExactly(1L, 2L, 4L);
    assertThat(batch.idsOf(EnumSet.of(EventType.CLICKED))).isEmpty();
    assertThat(batch.idsOf(EnumSet.noneOf(EventType.class))).isEmpty();
  }

  @Test
  void aTypeThisBuildDoesNotKnowMatchesNoTypeSetButPassesAFilterOnSourceAlone() {
    assertThat(batch.idsOf(EnumSet.allOf(EventType.class))).containsExactly(1L, 2L, 3L, 4L);
    assertThat(batch.idsWhere((type, source) -> source.equals("sg"))).containsExactly(1L, 2L, 5L);
    assertThat(batch.ids()).containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  @Test
  void halvesKeepEachEventWithItsTypeAndSource() {
    List<EventBatch> halves = batch.halves();
    assertThat(halves.get(0).ids()).containsExactly(1L, 2L);
    assertThat(halves.get(1).ids()).containsExactly(3L, 4L, 5L);
    assertThat(halves.get(1).idsOf(EnumSet.of(EventType.OPENED))).containsExactly(3L);
    assertThat(halves.get(1).idsWhere((type, source) -> source.equals("mg") && type.equals("delivered")))
        .containsExactly(4L);
    assertThat(halves.get(0).halves().get(1).onlyId()).isEqualTo(2L);
  }

  @Test
  void selectionsAreCopiesTheCallerMayChange() {
    Long[] all = batch.idsWhere((type, source) -> true);
    all[0] = 99L;
    assertThat(batch.ids()[0]).isEqualTo(1L);
  }

  @Test
  void refusesColumnsOfDifferentLengthsAndAnOnlyIdOfMany() {
    assertThatThrownBy(() -> EventBatch.of(new Long[] {1L}, new String[0], new String[] {"sg"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(batch::onlyId).isInstanceOf(IllegalStateException.class);
  }
}
