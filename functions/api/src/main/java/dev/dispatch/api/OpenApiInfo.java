package dev.dispatch.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

@OpenAPIDefinition(info = @Info(title = "Dispatch API", version = "0.1.0",
        description = "Subscribers, campaigns and analytics of the Dispatch email platform. "
                + "Every route but /health, /docs and /openapi needs `Authorization: Bearer <API key>`."))
@SecurityScheme(securitySchemeName = "apiKey", type = SecuritySchemeType.HTTP, scheme = "bearer")
public class OpenApiInfo extends Application {}
