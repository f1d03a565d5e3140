package dev.dispatch.domain.subscriber;

public interface SubscriberCounters {
    void apply(CounterDelta delta);

    SubscriberStats read();
}
