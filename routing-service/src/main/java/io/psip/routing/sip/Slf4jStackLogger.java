package io.psip.routing.sip;

import gov.nist.core.StackLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Properties;

/** Routes the JAIN-SIP RI's logging to SLF4J, so the stack needs no log4j 1.x. Instantiated by the stack. */
public final class Slf4jStackLogger implements StackLogger {

    private static final Logger log = LoggerFactory.getLogger("gov.nist.javax.sip");
    /** The RI dumps whole packet buffers (as decimal byte lists) into some messages; keep log lines readable. */
    private static final int MAX_MESSAGE = 1000;

    private static String clip(String message) {
        return message == null || message.length() <= MAX_MESSAGE ? message
                : message.substring(0, MAX_MESSAGE) + "... (" + message.length() + " chars)";
    }

    @Override
    public void logStackTrace() {
        if (log.isDebugEnabled()) {
            log.debug("stack trace", new Exception("stack trace"));
        }
    }

    @Override
    public void logStackTrace(int traceLevel) {
        logStackTrace();
    }

    @Override
    public int getLineCount() {
        return 0;
    }

    @Override
    public void logException(Throwable ex) {
        log.warn("SIP stack exception", ex);
    }

    @Override
    public void logDebug(String message) {
        log.debug(clip(message));
    }

    @Override
    public void logDebug(String message, Exception ex) {
        log.debug(clip(message), ex);
    }

    @Override
    public void logTrace(String message) {
        log.trace(clip(message));
    }

    @Override
    public void logFatalError(String message) {
        log.error(clip(message));
    }

    @Override
    public void logError(String message) {
        log.error(clip(message));
    }

    @Override
    public boolean isLoggingEnabled() {
        return log.isInfoEnabled();
    }

    @Override
    public boolean isLoggingEnabled(int logLevel) {
        return switch (logLevel) {
            case TRACE_TRACE -> log.isTraceEnabled();
            case TRACE_DEBUG -> log.isDebugEnabled();
            case TRACE_INFO -> log.isInfoEnabled();
            case TRACE_WARN -> log.isWarnEnabled();
            case TRACE_NONE -> false;
            default -> log.isErrorEnabled();
        };
    }

    @Override
    public void logError(String message, Exception ex) {
        log.error(clip(message), ex);
    }

    @Override
    public void logWarning(String message) {
        log.warn(clip(message));
    }

    @Override
    public void logInfo(String message) {
        log.info(clip(message));
    }

    @Override
    public void disableLogging() {
    }

    @Override
    public void enableLogging() {
    }

    @Override
    public void setBuildTimeStamp(String buildTimeStamp) {
    }

    @Override
    public void setStackProperties(Properties stackProperties) {
    }

    @Override
    public String getLoggerName() {
        return log.getName();
    }
}
