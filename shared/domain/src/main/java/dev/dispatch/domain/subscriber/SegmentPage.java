package dev.dispatch.domain.subscriber;

import java.util.List;

/** One page of a segment in address order; {@code nextCursor} is null on the last page. */
public record SegmentPage(List<Subscriber> subscribers, String nextCursor) {}
