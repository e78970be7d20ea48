package org.jenkinsci.plugins.workflow.libs

import java.lang.annotation.Retention
import java.lang.annotation.RetentionPolicy

/** Stand-in for the @Library annotation Jenkins imports into every Jenkinsfile. */
@Retention(RetentionPolicy.SOURCE)
@interface Library {
    String[] value()
}
