package com.cloudbees.groovy.cps

import java.lang.annotation.ElementType
import java.lang.annotation.Retention
import java.lang.annotation.RetentionPolicy
import java.lang.annotation.Target

/** Stand-in for Jenkins' groovy-cps @NonCPS so vars/ compiles and runs outside Jenkins. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface NonCPS { }
