package dev.dispatch.domain.campaign;

import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.subscriber.Subscriber;
import java.util.List;

/** Renders a campaign's content (each recipient's variant) into messages any provider can send. */
public interface CampaignMessages {

    record Addressee(Subscriber subscriber, String variant) {}

    /** One message per addressee, in the same order. */
    List<OutgoingMessage> render(Campaign campaign, List<Addressee> addressees, int batch);
}
