package dev.dispatch.domain.system;

import java.util.List;

/** How many messages each of the system's queues holds, dead-letter queues included. */
public interface QueueDepths {
    List<QueueDepth> all();

    /**
     * @param name the queue's role ({@code send}, {@code send-dead-letter}, ...)
     * @param deadLetter whether it is a dead-letter queue (anything in it needs a person)
     * @param waiting messages ready to be received
     * @param inFlight received and not yet deleted (being worked on)
     * @param delayed not yet visible (e.g. batches handed back for pacing or a used-up quota)
     */
    record QueueDepth(String name, boolean deadLetter, long waiting, long inFlight, long delayed) {}
}
